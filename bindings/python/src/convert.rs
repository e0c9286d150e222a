//! Python values to protocol bytes and back.
//!
//! Payloads follow the core's rules (`crypto_sessions::payload`): `str` is its UTF-8,
//! `bytes` is itself, anything else becomes a `serde_json::Value` and then the
//! core's compact JSON. Received bytes come back through the core's `revive`.

use std::ops::Deref;

use crypto_sessions::payload::{json_bytes, MAX_JSON_DEPTH};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::marker::Ungil;
use pyo3::prelude::*;
use pyo3::pybacked::{PyBackedBytes, PyBackedStr};
use pyo3::types::{
    PyBool, PyByteArray, PyBytes, PyDict, PyFloat, PyInt, PyList, PyMemoryView, PyString, PyTuple,
};
use serde_json::{Map, Number, Value};

/// Bytes borrowed from an immutable Python object or owned by Rust: either way they
/// can be read with the GIL released.
pub(crate) enum Buffer {
    Text(PyBackedStr),
    Binary(PyBackedBytes),
    Owned(Vec<u8>),
}

impl Deref for Buffer {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Buffer::Text(s) => s.as_bytes(),
            Buffer::Binary(b) => b,
            Buffer::Owned(v) => v,
        }
    }
}

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".to_string())
}

/// Below this many input bytes, calls that do no elliptic-curve work (AES alone, JSON
/// revive) keep the GIL: their work then takes a few microseconds at most, less than
/// giving the GIL away and waiting to get it back from another thread.
pub(crate) const DETACH_MIN_BYTES: usize = 4096;

/// Run `f` with the GIL released when the input is `len` bytes or more, else with it
/// held (see [`DETACH_MIN_BYTES`]). Elliptic-curve work always releases it.
pub(crate) fn detach_if_large<T, F>(py: Python<'_>, len: usize, f: F) -> T
where
    F: Ungil + FnOnce() -> T,
    T: Ungil,
{
    if len >= DETACH_MIN_BYTES {
        py.detach(f)
    } else {
        f()
    }
}

/// `bytes`, `bytearray` or `memoryview` as bytes, else `None`.
fn binary(obj: &Bound<'_, PyAny>) -> PyResult<Option<Buffer>> {
    if obj.is_instance_of::<PyBytes>() || obj.is_instance_of::<PyByteArray>() {
        return Ok(Some(Buffer::Binary(obj.extract::<PyBackedBytes>()?)));
    }
    if obj.is_instance_of::<PyMemoryView>() {
        let copy = obj.call_method0("tobytes")?;
        return Ok(Some(Buffer::Binary(copy.extract::<PyBackedBytes>()?)));
    }
    Ok(None)
}

/// A key argument: hex `str`, or `bytes` (raw or hex).
pub(crate) fn key_bytes(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Buffer> {
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(Buffer::Text(s.extract::<PyBackedStr>()?));
    }
    binary(obj)?.ok_or_else(|| {
        PyTypeError::new_err(format!(
            "{what} must be a hex str or bytes, not {}",
            type_name(obj)
        ))
    })
}

/// A text argument that may also be given as bytes (UTF-8).
pub(crate) fn text_arg(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Buffer> {
    key_bytes(obj, what).map_err(|_| {
        PyTypeError::new_err(format!(
            "{what} must be str or bytes, not {}",
            type_name(obj)
        ))
    })
}

/// Text borrowed from a Python `str` (no copy, no second UTF-8 check), or decoded
/// from UTF-8 `bytes` (invalid sequences become U+FFFD).
pub(crate) enum Text {
    Borrowed(PyBackedStr),
    Owned(String),
}

impl Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        match self {
            Text::Borrowed(s) => s,
            Text::Owned(s) => s,
        }
    }
}

/// A text argument given as `str` or UTF-8 `bytes`, as `str`.
pub(crate) fn text_str(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Text> {
    Ok(match text_arg(obj, what)? {
        Buffer::Text(s) => Text::Borrowed(s),
        other => Text::Owned(String::from_utf8_lossy(&other).into_owned()),
    })
}

/// A binary argument (`bytes`, `bytearray`, `memoryview`).
pub(crate) fn bytes_arg(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Buffer> {
    binary(obj)?.ok_or_else(|| {
        PyTypeError::new_err(format!("{what} must be bytes, not {}", type_name(obj)))
    })
}

/// The serialized bytes of a payload (see the module docs).
pub(crate) fn payload_bytes(obj: &Bound<'_, PyAny>) -> PyResult<Buffer> {
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(Buffer::Text(s.extract::<PyBackedStr>()?));
    }
    if let Some(b) = binary(obj)? {
        return Ok(b);
    }
    Ok(Buffer::Owned(json_bytes(&py_to_value(obj)?)))
}

/// The compact JSON bytes of any JSON-serializable value (a `str` becomes a JSON string).
pub(crate) fn json_payload(obj: &Bound<'_, PyAny>) -> PyResult<Vec<u8>> {
    Ok(json_bytes(&py_to_value(obj)?))
}

/// A Python value as JSON: `None`, `bool`, `int`, `float`, `str`, `list`, `tuple` and
/// `dict` with `str` keys, nested at most `MAX_JSON_DEPTH` deep (which also stops
/// self-referencing containers).
pub(crate) fn py_to_value(obj: &Bound<'_, PyAny>) -> PyResult<Value> {
    to_value(obj, 0)
}

fn to_value(obj: &Bound<'_, PyAny>, depth: usize) -> PyResult<Value> {
    if obj.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if obj.is_instance_of::<PyInt>() {
        if let Ok(i) = obj.extract::<i64>() {
            return Ok(Value::from(i));
        }
        if let Ok(u) = obj.extract::<u64>() {
            return Ok(Value::from(u));
        }
        return Err(PyValueError::new_err(
            "an integer outside the 64-bit range is not JSON-serializable here",
        ));
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        return Number::from_f64(f.value())
            .map(Value::Number)
            .ok_or_else(|| PyValueError::new_err("NaN and infinity are not JSON"));
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(Value::String(s.extract::<String>()?));
    }
    if depth >= MAX_JSON_DEPTH {
        return Err(PyValueError::new_err(format!(
            "the payload is nested deeper than {MAX_JSON_DEPTH} levels"
        )));
    }
    if let Ok(d) = obj.cast::<PyDict>() {
        let mut map = Map::with_capacity(d.len());
        for (k, v) in d.iter() {
            let key = k.cast::<PyString>().map_err(|_| {
                PyTypeError::new_err(format!(
                    "JSON object keys must be str, not {}",
                    type_name(&k)
                ))
            })?;
            map.insert(key.extract::<String>()?, to_value(&v, depth + 1)?);
        }
        return Ok(Value::Object(map));
    }
    if let Ok(l) = obj.cast::<PyList>() {
        return l
            .iter()
            .map(|v| to_value(&v, depth + 1))
            .collect::<PyResult<_>>()
            .map(Value::Array);
    }
    if let Ok(t) = obj.cast::<PyTuple>() {
        return t
            .iter()
            .map(|v| to_value(&v, depth + 1))
            .collect::<PyResult<_>>()
            .map(Value::Array);
    }
    Err(PyTypeError::new_err(format!(
        "a payload must be str, bytes or JSON-serializable; {} is not",
        type_name(obj)
    )))
}

/// A JSON value as Python objects (`dict` keeps the key order).
pub(crate) fn value_to_py<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match value {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.into_pyobject(py)?.into_any()
            } else if let Some(u) = n.as_u64() {
                u.into_pyobject(py)?.into_any()
            } else {
                n.as_f64().unwrap_or(f64::NAN).into_pyobject(py)?.into_any()
            }
        }
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(value_to_py(py, item)?)?;
            }
            list.into_any()
        }
        Value::Object(map) => {
            let dict = PyDict::new(py);
            for (k, v) in map {
                dict.set_item(k, value_to_py(py, v)?)?;
            }
            dict.into_any()
        }
    })
}
