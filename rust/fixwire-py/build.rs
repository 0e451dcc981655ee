//! Hands PyO3's Python-version cfgs (`Py_3_14`, ...) to this crate: the few fast paths that read
//! CPython's object layout directly exist only where that layout is public.

fn main() {
    pyo3_build_config::use_pyo3_cfgs();
}
