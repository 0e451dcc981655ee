"""The data fields of FIX 5.0 SP2: values that carry their own length and may hold SOH.

Each pair is (length tag, data tag), read from QuickFIX's FIX50SP2.xml (every field of type
DATA or XMLDATA and the LENGTH field that counts it). ``FixParser`` reads a data field's value
by the length its length field gave, so SOH inside it does not end the field.

simplefix 1.0.17 lists 67 of these 83 and pairs EncodedMarketDisruptionFallbackUnderlier-
SecurityDescLen <41101> with itself instead of with <41102>; ``docs/simplefix.md`` lists the
difference.
"""

__all__ = ["RAW_DATA", "RAW_DATA_TAGS", "RAW_LEN_TAGS"]

RAW_DATA: tuple[tuple[int, int], ...] = (
    (93, 89),  # Signature <89>
    (90, 91),  # SecureData <91>
    (95, 96),  # RawData <96>
    (212, 213),  # XmlData <213>
    (348, 349),  # EncodedIssuer <349>
    (350, 351),  # EncodedSecurityDesc <351>
    (352, 353),  # EncodedListExecInst <353>
    (354, 355),  # EncodedText <355>
    (356, 357),  # EncodedSubject <357>
    (358, 359),  # EncodedHeadline <359>
    (360, 361),  # EncodedAllocText <361>
    (362, 363),  # EncodedUnderlyingIssuer <363>
    (364, 365),  # EncodedUnderlyingSecurityDesc <365>
    (445, 446),  # EncodedListStatusText <446>
    (618, 619),  # EncodedLegIssuer <619>
    (621, 622),  # EncodedLegSecurityDesc <622>
    (1184, 1185),  # SecurityXML <1185>
    (1277, 1278),  # DerivativeEncodedIssuer <1278>
    (1280, 1281),  # DerivativeEncodedSecurityDesc <1281>
    (1282, 1283),  # DerivativeSecurityXML <1283>
    (1397, 1398),  # EncodedMktSegmDesc <1398>
    (1401, 1402),  # EncryptedPassword <1402>
    (1403, 1404),  # EncryptedNewPassword <1404>
    (1468, 1469),  # EncodedSecurityListDesc <1469>
    (1525, 1527),  # EncodedDocumentationText <1527>
    (1578, 1579),  # EncodedEventText <1579>
    (1620, 1621),  # InstrumentScopeEncodedSecurityDesc <1621>
    (1664, 1665),  # EncodedRejectText <1665>
    (1678, 1697),  # EncodedOptionExpirationDesc <1697>
    (1733, 1734),  # EncodedFirmAllocText <1734>
    (1871, 1872),  # LegSecurityXML <1872>
    (1874, 1875),  # UnderlyingSecurityXML <1875>
    (2072, 2073),  # EncodedUnderlyingEventText <2073>
    (2074, 2075),  # EncodedLegEventText <2075>
    (2111, 2112),  # EncodedAttachment <2112>
    (2179, 2180),  # EncodedLegOptionExpirationDesc <2180>
    (2287, 2288),  # EncodedUnderlyingOptionExpirationDesc <2288>
    (2351, 2352),  # EncodedComplianceText <2352>
    (2372, 2371),  # EncodedTradeContinuationText <2371>
    (2481, 2482),  # EncodedMDStatisticDesc <2482>
    (2494, 2493),  # EncodedLegDocumentationText <2493>
    (2522, 2521),  # EncodedWarningText <2521>
    (2637, 2638),  # EncodedMiscFeeSubTypeDesc <2638>
    (2651, 2652),  # EncodedCommissionDesc <2652>
    (2665, 2666),  # EncodedAllocCommissionDesc <2666>
    (2715, 2716),  # EncodedFinancialInstrumentFullName <2716>
    (2718, 2719),  # EncodedLegFinancialInstrumentFullName <2719>
    (2721, 2722),  # EncodedUnderlyingFinancialInstrumentFullName <2722>
    (2797, 2798),  # EncodedMatchExceptionText <2798>
    (2802, 2801),  # EncodedReplaceText <2801>
    (2809, 2808),  # EncodedCancelText <2808>
    (2815, 2814),  # EncodedPostTradePaymentDesc <2814>
    (40004, 40005),  # EncodedAdditionalTermBondDesc <40005>
    (40008, 40009),  # EncodedAdditionalTermBondIssuer <40009>
    (40978, 40979),  # EncodedLegStreamText <40979>
    (40980, 40981),  # EncodedLegProvisionText <40981>
    (40982, 40983),  # EncodedStreamText <40983>
    (40984, 40985),  # EncodedPaymentText <40985>
    (40986, 40987),  # EncodedProvisionText <40987>
    (40988, 40989),  # EncodedUnderlyingStreamText <40989>
    (41083, 41084),  # EncodedDeliveryStreamCycleDesc <41084>
    (41101, 41102),  # EncodedMarketDisruptionFallbackUnderlierSecurityDesc <41102>
    (41107, 41108),  # EncodedExerciseDesc <41108>
    (41256, 41257),  # EncodedStreamCommodityDesc <41257>
    (41320, 41321),  # EncodedLegAdditionalTermBondDesc <41321>
    (41324, 41325),  # EncodedLegAdditionalTermBondIssuer <41325>
    (41458, 41459),  # EncodedLegDeliveryStreamCycleDesc <41459>
    (41476, 41477),  # EncodedLegMarketDisruptionFallbackUnderlierSecurityDesc <41477>
    (41482, 41483),  # EncodedLegExerciseDesc <41483>
    (41653, 41654),  # EncodedLegStreamCommodityDesc <41654>
    (41710, 41711),  # EncodedUnderlyingAdditionalTermBondDesc <41711>
    (41806, 41807),  # EncodedUnderlyingDeliveryStreamCycleDesc <41807>
    (41811, 41812),  # EncodedUnderlyingExerciseDesc <41812>
    (41873, 41874),  # EncodedUnderlyingMarketDisruptionFallbackUnderlierSecurityDesc <41874>
    (41969, 41970),  # EncodedUnderlyingStreamCommodityDesc <41970>
    (42025, 42026),  # EncodedUnderlyingAdditionalTermBondIssuer <42026>
    (42171, 42172),  # EncodedUnderlyingProvisionText <42172>
    (42451, 42452),  # LegPaymentStreamFormulaImage <42452>
    (43110, 42486),  # LegPaymentStreamFormula <42486>
    (42652, 42653),  # PaymentStreamFormulaImage <42653>
    (43109, 42684),  # PaymentStreamFormula <42684>
    (42947, 42948),  # UnderlyingPaymentStreamFormulaImage <42948>
    (43111, 42982),  # UnderlyingPaymentStreamFormula <42982>
)

RAW_DATA_TAGS: list[int] = [data for _, data in RAW_DATA]
"""The data tags (RawData <96>, ...)."""

RAW_LEN_TAGS: list[int] = [length for length, _ in RAW_DATA]
"""The length tags (RawDataLength <95>, ...)."""
