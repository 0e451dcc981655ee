//! `Rule` and `Template`: messages of one MsgType laid out in advance, each value checked
//! against its slot's rule by the core.

use fixwire::template::{Choice, DecimalRule, Part, Rule, Slot, Template, TemplateWriter, Value as TemplateValue};
use fixwire::value::TimePrecision;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDateTime, PyDict, PyFloat, PyInt, PyString};

use crate::conversions::{
    exact_i64, is_decimal, str_text, tag_and_value, timestamp_from_datetime, with_decimal_digits,
};
use crate::errors::py_err;

/// What one slot of a :class:`Template` accepts: built by the static methods below.
///
/// Every rule also carries the ``name`` its errors give the slot (an argument name, say;
/// ``tag N`` when ``None``) and whether ``None`` leaves the field out (``optional``). A value
/// of a kind the rule does not take is refused, never converted: a ``float`` never passes.
#[pyclass(frozen, name = "Rule", module = "fixwire")]
pub(crate) struct PyRule {
    rule: Rule,
    name: Option<String>,
    optional: bool,
}

/// A choice's text: a str, or the digits of an int that fits in 64 bits, as the values it is
/// compared with must.
fn choice_text(value: &Bound<'_, PyAny>) -> PyResult<Vec<u8>> {
    if value.is_instance_of::<PyBool>() || !(value.is_instance_of::<PyString>() || value.is_instance_of::<PyInt>()) {
        return Err(PyTypeError::new_err(format!("a choice is a str or an int, not {}", value.get_type().name()?)));
    }
    if value.is_instance_of::<PyInt>() && value.extract::<i64>().is_err() {
        return Err(PyValueError::new_err(format!("a choice int must fit in 64 bits, not {value}")));
    }
    Ok(value.str()?.to_str()?.as_bytes().to_vec())
}

/// A decimal bound given as a Decimal, an int or a str.
fn decimal_bound(bound: Option<&Bound<'_, PyAny>>, what: &str) -> PyResult<Option<fixwire::Decimal>> {
    let Some(bound) = bound else { return Ok(None) };
    let parsed = if bound.is_instance_of::<PyFloat>() {
        Err(())
    } else if is_decimal(bound)? {
        with_decimal_digits(bound, |digits| Ok(fixwire::Decimal::parse(digits).map_err(drop)))?
    } else {
        fixwire::Decimal::parse(bound.str()?.to_str()?.as_bytes()).map_err(drop)
    };
    parsed
        .map(Some)
        .map_err(|()| PyValueError::new_err(format!("{what} must be a Decimal, int or str number, not {bound}")))
}

#[pymethods]
impl PyRule {
    /// A ``str`` of 1 to ``max_length`` UTF-8 bytes, each a character of ``charset`` (any
    /// but SOH when ``None``). The charset holds ASCII characters only: the rule checks
    /// bytes, and :class:`Template` refuses any other charset.
    #[staticmethod]
    #[pyo3(signature = (*, charset = None, max_length = None, name = None, optional = false))]
    fn text(charset: Option<&str>, max_length: Option<usize>, name: Option<String>, optional: bool) -> Self {
        let rule = Rule::text(charset.map(str::as_bytes), max_length.unwrap_or(usize::MAX));
        Self { rule, name, optional }
    }

    /// Exactly one of ``values``: a ``str``, or an ``int`` (within 64 bits) compared by its
    /// digits. Given a ``dict``, its keys are accepted and its values written:
    /// ``{"yes": "1", "no": "2"}`` takes ``"yes"`` and writes ``1``.
    ///
    /// Raises:
    ///     TypeError: ``values`` is a single ``str``, or holds something else than ``str``
    ///         and ``int``.
    ///     ValueError: an ``int`` beyond 64 bits.
    #[staticmethod]
    #[pyo3(signature = (values, /, *, name = None, optional = false))]
    fn choice(values: &Bound<'_, PyAny>, name: Option<String>, optional: bool) -> PyResult<Self> {
        if values.is_instance_of::<PyString>() {
            return Err(PyTypeError::new_err("values is a list of choices, not one str"));
        }
        let mut choices = Vec::new();
        if let Ok(mapping) = values.cast::<PyDict>() {
            for (given, wire) in mapping.iter() {
                choices.push(Choice { given: choice_text(&given)?, wire: choice_text(&wire)? });
            }
        } else {
            for value in values.try_iter()? {
                choices.push(Choice::same(&choice_text(&value?)?));
            }
        }
        Ok(Self { rule: Rule::OneOf(choices), name, optional })
    }

    /// An ``int`` (not a ``bool``) from ``ge`` to ``le``, both included.
    #[staticmethod]
    #[pyo3(signature = (*, ge = None, le = None, name = None, optional = false))]
    fn integer(ge: Option<i64>, le: Option<i64>, name: Option<String>, optional: bool) -> Self {
        let rule = Rule::Int { min: ge.unwrap_or(i64::MIN), max: le.unwrap_or(i64::MAX) };
        Self { rule, name, optional }
    }

    /// A ``Decimal``, ``int`` or numeric ``str`` within the bounds (compared by value) with
    /// at most ``places`` decimals, trailing zeros not counted (those beyond ``places`` are
    /// dropped). ``in_units`` writes it as a whole number of ``10**-places``: with
    /// ``places=2``, dollars ``0.55`` go out as cents, ``55``. The value is written plainly
    /// (``".5"`` as ``0.5``), its decimals kept; it must fit a 64-bit mantissa with at most 18
    /// decimals once trailing zeros are dropped.
    ///
    /// Raises:
    ///     ValueError: a bound that is not a number (a ``float`` included), or ``places``
    ///         outside 0 to 18.
    #[staticmethod]
    #[pyo3(signature = (
        *, gt = None, ge = None, lt = None, le = None, places = None, in_units = false, name = None, optional = false
    ))]
    #[allow(clippy::too_many_arguments)] // Keyword-only options, as Python callers give them.
    fn decimal(
        gt: Option<&Bound<'_, PyAny>>,
        ge: Option<&Bound<'_, PyAny>>,
        lt: Option<&Bound<'_, PyAny>>,
        le: Option<&Bound<'_, PyAny>>,
        places: Option<i64>,
        in_units: bool,
        name: Option<String>,
        optional: bool,
    ) -> PyResult<Self> {
        let places = places
            .map(|p| u8::try_from(p).map_err(|_| PyValueError::new_err(format!("places must be 0 to 18, not {p}"))))
            .transpose()?;
        let rule = DecimalRule {
            above: decimal_bound(gt, "gt")?,
            at_least: decimal_bound(ge, "ge")?,
            below: decimal_bound(lt, "lt")?,
            at_most: decimal_bound(le, "le")?,
            places,
            in_units,
        };
        Ok(Self { rule: Rule::Decimal(rule), name, optional })
    }

    /// A ``bool``, written ``Y`` or ``N``.
    #[staticmethod]
    #[pyo3(signature = (*, name = None, optional = false))]
    fn boolean(name: Option<String>, optional: bool) -> Self {
        Self { rule: Rule::Bool, name, optional }
    }

    /// A ``datetime`` (UTC; naive means UTC), written at the encoder's precision.
    #[staticmethod]
    #[pyo3(signature = (*, name = None, optional = false))]
    fn timestamp(name: Option<String>, optional: bool) -> Self {
        Self { rule: Rule::Timestamp, name, optional }
    }

    /// The name errors give the slot, if any.
    #[getter]
    fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// Whether ``None`` leaves the field out.
    #[getter]
    fn optional(&self) -> bool {
        self.optional
    }

    fn __repr__(&self) -> String {
        let name = self.name.as_ref().map_or_else(String::new, |n| format!(" {n:?}"));
        let optional = if self.optional { " optional" } else { "" };
        format!("<Rule{name}{optional} {:?}>", self.rule)
    }
}

/// A fixed field: a str, int, bool or Decimal value.
fn fixed_part(tag: u32, value: &Bound<'_, PyAny>) -> PyResult<Part> {
    if let Ok(flag) = value.cast::<PyBool>() {
        Ok(Part::fixed_bool(tag, flag.is_true()))
    } else if is_decimal(value)? {
        with_decimal_digits(value, |digits| Part::fixed_decimal(tag, digits).map_err(py_err))
    } else if value.is_instance_of::<PyString>() || value.is_instance_of::<PyInt>() {
        Ok(Part::Fixed(tag, value.str()?.to_str()?.as_bytes().to_vec()))
    } else {
        Err(PyTypeError::new_err(format!(
            "tag {tag}: a fixed value is a str, int, bool or Decimal (or give a Rule), not {}",
            value.get_type().name()?
        )))
    }
}

/// A message of one MsgType laid out in advance, for :meth:`Encoder.encode_template`.
///
/// ``fields`` lists the body in wire order: ``(tag, Rule)`` for a slot, whose value is given
/// at each encoding, or ``(tag, value)`` for a field fixed in every message (``str``, ``int``,
/// ``bool`` or ``Decimal``). A venue's rules for an order become data checked in Rust, in the
/// same pass that writes the message::
///
///     order = Template("D", [
///         (11, Rule.text(charset=ID_CHARS, max_length=64, name="cl_ord_id")),
///         (40, "2"),
///         (44, Rule.decimal(gt=0, lt=1, places=4, name="price")),
///     ])
///     wire = encoder.encode_template(order, ("id-1", Decimal("0.55")), seq_num=7)
///
/// Raises:
///     EncodeError: a tag the encoder writes itself, an empty or SOH-holding fixed value, a
///         fixed ``Decimal`` that is not a number, a rule that admits nothing (an empty
///         charset or choice, bounds with no value between them), a charset beyond ASCII,
///         ``in_units`` without ``places``, or ``places`` above 18.
#[pyclass(frozen, name = "Template", module = "fixwire")]
pub(crate) struct PyTemplate {
    pub(crate) template: Template,
    /// MsgType <35> as a Python str, made once: the session reads it for every message.
    msg_type: Py<PyString>,
}

#[pymethods]
impl PyTemplate {
    #[new]
    #[pyo3(signature = (msg_type, fields, /))]
    fn new(msg_type: &Bound<'_, PyString>, fields: &Bound<'_, PyAny>) -> PyResult<Self> {
        let mut parts = Vec::new();
        for item in fields.try_iter()? {
            let (tag, value) = tag_and_value(&item?, "each field is a (tag, Rule) or (tag, value) tuple")?;
            parts.push(match value.cast::<PyRule>() {
                Ok(rule) => {
                    let rule = rule.get();
                    Part::Slot(Slot { tag, rule: rule.rule.clone(), optional: rule.optional, name: rule.name.clone() })
                }
                Err(_) => fixed_part(tag, &value)?,
            });
        }
        let template = Template::new(msg_type.to_str()?.as_bytes(), parts).map_err(py_err)?;
        Ok(Self { template, msg_type: msg_type.clone().unbind() })
    }

    /// MsgType <35>.
    #[getter]
    fn msg_type(&self, py: Python<'_>) -> Py<PyString> {
        self.msg_type.clone_ref(py)
    }

    /// How many values an encoding takes.
    fn __len__(&self) -> usize {
        self.template.slots()
    }

    fn __repr__(&self) -> String {
        let msg_type = String::from_utf8_lossy(self.template.msg_type());
        format!("<Template {msg_type:?}, {} slots>", self.template.slots())
    }
}

/// Pushes one Python value into a template's next slot.
pub(crate) fn push_template_value(
    writer: &mut TemplateWriter<'_, '_>,
    value: &Bound<'_, PyAny>,
    precision: TimePrecision,
) -> PyResult<()> {
    let pushed = if let Ok(text) = value.cast::<PyString>() {
        writer.push(TemplateValue::Text(str_text(text)?.as_bytes()))
    } else if let Some(n) = exact_i64(value) {
        writer.push(TemplateValue::Int(n))
    } else if value.is_none() {
        writer.push(TemplateValue::Absent)
    } else if let Ok(flag) = value.cast::<PyBool>() {
        writer.push(TemplateValue::Bool(flag.is_true()))
    } else if value.is_instance_of::<PyInt>() {
        if let Ok(n) = value.extract::<i64>() {
            writer.push(TemplateValue::Int(n))
        } else {
            // str() itself refuses ints of more than 4,300 digits.
            let digits = value.str().ok();
            let digits = digits.as_ref().and_then(|d| d.to_str().ok()).unwrap_or("an integer of over 4,300 digits");
            writer.push(TemplateValue::BigInt(digits))
        }
    } else if is_decimal(value)? {
        with_decimal_digits(value, |digits| writer.push(TemplateValue::Decimal(digits)).map_err(py_err))?;
        return Ok(());
    } else if let Ok(datetime) = value.cast::<PyDateTime>() {
        writer.push(TemplateValue::Timestamp(timestamp_from_datetime(datetime, precision)?))
    } else {
        writer.push(TemplateValue::Other(&value.get_type().name()?.to_string()))
    };
    pushed.map_err(py_err)
}
