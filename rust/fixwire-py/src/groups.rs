//! `GroupSpec` and `GroupSpecs`: the layouts of repeating groups.

use std::sync::{Arc, Mutex};

use fixwire::{GroupSpec, GroupSpecs, Member};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};

use crate::conversions::{exclusive, tag_of};
use crate::errors::py_err;

/// The layout of one repeating group: its NumInGroup tag and members in order.
///
/// The first member delimits entries, unless ``delimiters`` lists the members that may start an
/// entry; then the first of them seen in a message delimits all of that group's entries.
#[pyclass(frozen, name = "GroupSpec", module = "fixwire")]
pub(crate) struct PyGroupSpec {
    pub(crate) spec: Arc<GroupSpec>,
}

#[pymethods]
impl PyGroupSpec {
    #[new]
    #[pyo3(signature = (count_tag, members, *, delimiters = None))]
    fn new(count_tag: &Bound<'_, PyAny>, members: &Bound<'_, PyAny>, delimiters: Option<Vec<u32>>) -> PyResult<Self> {
        let count_tag = tag_of(count_tag)?;
        let mut list = Vec::new();
        for member in members.try_iter()? {
            let member = member?;
            list.push(match member.cast::<PyGroupSpec>() {
                Ok(nested) => Member::Group(Arc::clone(&nested.get().spec)),
                Err(_) => Member::Field(tag_of(&member)?),
            });
        }
        let mut spec = GroupSpec::new(count_tag, list).map_err(py_err)?;
        if let Some(delimiters) = delimiters {
            spec = spec.with_delimiters(&delimiters).map_err(py_err)?;
        }
        Ok(Self { spec: Arc::new(spec) })
    }

    /// The NumInGroup tag.
    #[getter]
    fn count_tag(&self) -> u32 {
        self.spec.count_tag()
    }

    /// Specs pickle (Dask ships them to its workers).
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let py = slf.py();
        let spec = &slf.get().spec;
        let members = spec
            .members()
            .iter()
            .map(|m| match m {
                Member::Field(tag) => Ok(tag.into_pyobject(py)?.into_any()),
                Member::Group(nested) => Ok(Bound::new(py, PyGroupSpec { spec: Arc::clone(nested) })?.into_any()),
            })
            .collect::<PyResult<Vec<_>>>()?;
        let kwargs = PyDict::new(py);
        kwargs.set_item("delimiters", spec.delimiters().to_vec())?;
        let constructor = py.import("functools")?.getattr("partial")?.call((slf.get_type(),), Some(&kwargs))?;
        Ok((
            constructor,
            PyTuple::new(py, [spec.count_tag().into_pyobject(py)?.into_any(), PyList::new(py, members)?.into_any()])?,
        ))
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.cast::<PyGroupSpec>().is_ok_and(|o| *o.get().spec == *self.spec)
    }

    fn __hash__(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        // Equal specs have equal count and member tags, so these hash equally.
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        self.spec.count_tag().hash(&mut hasher);
        self.spec.members().iter().map(Member::tag).for_each(|t| t.hash(&mut hasher));
        hasher.finish()
    }

    fn __repr__(&self) -> String {
        let members: Vec<String> = self.spec.members().iter().map(|m| m.tag().to_string()).collect();
        format!("GroupSpec({}, [{}])", self.spec.count_tag(), members.join(", "))
    }
}

/// Repeating-group specs by message type, for ``parse(..., groups=...)`` and ``Framer``.
#[pyclass(frozen, name = "GroupSpecs", module = "fixwire")]
pub(crate) struct PyGroupSpecs {
    pub(crate) specs: Mutex<Arc<GroupSpecs>>,
}

impl PyGroupSpecs {
    /// The specs as they are now; later `add` calls do not change it.
    pub(crate) fn snapshot(&self) -> Arc<GroupSpecs> {
        Arc::clone(&self.specs.lock().unwrap_or_else(std::sync::PoisonError::into_inner))
    }
}

#[pymethods]
impl PyGroupSpecs {
    #[new]
    #[pyo3(signature = (specs = None))]
    fn new(specs: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        let mut set = GroupSpecs::new();
        if let Some(specs) = specs {
            for spec in specs.try_iter()? {
                set.add((*spec?.cast::<PyGroupSpec>()?.get().spec).clone(), None);
            }
        }
        Ok(Self { specs: Mutex::new(Arc::new(set)) })
    }

    /// Add ``spec`` for ``msg_types`` (taking precedence), or for every message type.
    #[pyo3(signature = (spec, *, msg_types = None))]
    fn add(&self, spec: &Bound<'_, PyGroupSpec>, msg_types: Option<Vec<String>>) -> PyResult<()> {
        let owned: Option<Vec<Vec<u8>>> = msg_types.map(|t| t.into_iter().map(String::into_bytes).collect());
        let types: Option<Vec<&[u8]>> = owned.as_ref().map(|t| t.iter().map(Vec::as_slice).collect());
        let mut specs = exclusive(&self.specs, "GroupSpecs")?;
        Arc::make_mut(&mut specs).add((*spec.get().spec).clone(), types.as_deref());
        Ok(())
    }

    /// The repeating groups of Kalshi's FIX gateway.
    #[staticmethod]
    fn kalshi() -> Self {
        // Shared by every call: `add` copies the set before changing it.
        static KALSHI: std::sync::OnceLock<Arc<GroupSpecs>> = std::sync::OnceLock::new();
        Self { specs: Mutex::new(Arc::clone(KALSHI.get_or_init(|| Arc::new(GroupSpecs::kalshi())))) }
    }
}
