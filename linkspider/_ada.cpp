/* linkspider._ada: every href of a page resolved in one call, by ada's public C API.
 *
 * ada (https://github.com/ada-url/ada, MIT OR Apache-2.0) is the WHATWG URL parser
 * that the ada-url Python package wraps; its C interface (ada_c.h) and its
 * single-file build (ada.cpp) are vendored in linkspider/_vendor/ada/ at the
 * version of the ada-url package linkspider pins (ADA_VERSION), and compiled into this module: no
 * function pointer is taken from another package. linkspider.urls checks at
 * import that this module and the ada-url package agree on a set of probes, and
 * the test suite checks them equal on every WHATWG case.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <cstring>

extern "C" {
#include "ada_c.h"
}

/* One href: (url without fragment, fragment, host), or None when the result is
 * not a valid http(s) URL. */
static PyObject *resolve_one(const char *base, Py_ssize_t base_len, PyObject *href) {
    Py_ssize_t len;
    const char *s = PyUnicode_AsUTF8AndSize(href, &len);
    if (s == NULL) { PyErr_Clear(); Py_RETURN_NONE; } /* e.g. lone surrogates */
    ada_url url = ada_parse_with_base(s, (size_t)len, base, (size_t)base_len);
    if (url == NULL) Py_RETURN_NONE;
    PyObject *out = NULL;
    if (ada_is_valid(url)) {
        ada_string h = ada_get_href(url);
        size_t start = 0;
        if (h.length >= 7 && std::memcmp(h.data, "http://", 7) == 0) start = 7;
        else if (h.length >= 8 && std::memcmp(h.data, "https://", 8) == 0) start = 8;
        if (start) {
            const char *hash = (const char *)std::memchr(h.data, '#', h.length);
            size_t url_len = hash ? (size_t)(hash - h.data) : h.length;
            ada_string host = ada_get_hostname(url);
            out = Py_BuildValue(
                "(s#s#s#)", h.data, (Py_ssize_t)url_len, hash ? hash + 1 : "",
                (Py_ssize_t)(hash ? h.length - url_len - 1 : 0), host.data,
                (Py_ssize_t)host.length);
        }
    }
    ada_free(url);
    if (out == NULL && !PyErr_Occurred()) Py_RETURN_NONE;
    return out;
}

static PyObject *resolve_many(PyObject *, PyObject *args) {
    PyObject *base_obj, *hrefs;
    if (!PyArg_ParseTuple(args, "UO!", &base_obj, &PyList_Type, &hrefs)) return NULL;
    Py_ssize_t base_len;
    const char *base = PyUnicode_AsUTF8AndSize(base_obj, &base_len);
    if (base == NULL) return NULL;
    Py_ssize_t n = PyList_GET_SIZE(hrefs);
    PyObject *out = PyList_New(n);
    if (out == NULL) return NULL;
    /* A page repeats hrefs (menus, "#", a link per card...): each distinct one is parsed
     * once, and its answer (an immutable tuple, or None) shared. */
    PyObject *seen = PyDict_New();
    if (seen == NULL) { Py_DECREF(out); return NULL; }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *href = PyList_GET_ITEM(hrefs, i);
        if (!PyUnicode_Check(href)) {
            PyErr_SetString(PyExc_TypeError, "hrefs must be str");
            goto fail;
        }
        PyObject *r = PyDict_GetItemWithError(seen, href); /* borrowed */
        if (r != NULL) {
            Py_INCREF(r);
        } else {
            if (PyErr_Occurred()) goto fail;
            r = resolve_one(base, base_len, href);
            if (r == NULL) goto fail;
            if (PyDict_SetItem(seen, href, r) < 0) { Py_DECREF(r); goto fail; }
        }
        PyList_SET_ITEM(out, i, r);
    }
    Py_DECREF(seen);
    return out;
fail:
    Py_DECREF(seen);
    Py_DECREF(out);
    return NULL;
}

static PyMethodDef methods[] = {
    {"resolve_many", resolve_many, METH_VARARGS,
     "resolve_many(base, hrefs) -> [(url_without_fragment, fragment, host) or None, ...] "
     "(WHATWG URL parsing by ada; None unless the result is a valid http(s) URL)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "linkspider._ada",
    "WHATWG URL resolution of many hrefs in one call, by ada's C API (vendored in linkspider/_vendor/ada).",
    -1, methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__ada(void) {
    PyObject *m = PyModule_Create(&module);
    if (m == NULL) return NULL;
    if (PyModule_AddStringConstant(m, "ADA_VERSION", ada_get_version()) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
