/* linkspider._ada: every href of a page resolved in one call, by ada.
 *
 * ada (https://github.com/ada-url/ada, MIT OR Apache-2.0) is the WHATWG URL parser
 * that the ada-url Python package wraps; its single-file build (ada.h, ada.cpp) is
 * vendored in linkspider/_vendor/ada/ at the version of the ada-url package linkspider
 * pins (ADA_VERSION), and compiled into this module: no function pointer is taken from
 * another package. linkspider.urls checks at import that this module and the ada-url
 * package agree on a set of probes, and the test suite checks them equal on every
 * WHATWG case.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <cstring>
#include <string_view>

#include "ada.h"

/* One href against the page's base, parsed once for all of them (what the C interface's
 * ada_parse_with_base does per call: parse the base, then the href against it; an
 * invalid base makes every href invalid): (url without fragment, fragment, host), or
 * None when the result is not a valid http(s) URL. */
static PyObject *resolve_one(const ada::url_aggregator *base, PyObject *href) {
    Py_ssize_t len;
    const char *s = PyUnicode_AsUTF8AndSize(href, &len);
    if (s == NULL) { PyErr_Clear(); Py_RETURN_NONE; } /* e.g. lone surrogates */
    if (base == NULL) Py_RETURN_NONE;
    auto url = ada::parse<ada::url_aggregator>(std::string_view(s, (size_t)len), base);
    if (!url) Py_RETURN_NONE;
    std::string_view h = url->get_href();
    size_t start = 0;
    if (h.size() >= 7 && std::memcmp(h.data(), "http://", 7) == 0) start = 7;
    else if (h.size() >= 8 && std::memcmp(h.data(), "https://", 8) == 0) start = 8;
    if (!start) Py_RETURN_NONE;
    const char *hash = (const char *)std::memchr(h.data(), '#', h.size());
    size_t url_len = hash ? (size_t)(hash - h.data()) : h.size();
    std::string_view host = url->get_hostname();
    return Py_BuildValue(
        "(s#s#s#)", h.data(), (Py_ssize_t)url_len, hash ? hash + 1 : "",
        (Py_ssize_t)(hash ? h.size() - url_len - 1 : 0), host.data(), (Py_ssize_t)host.size());
}

static PyObject *resolve_many(PyObject *, PyObject *args) {
    PyObject *base_obj, *hrefs;
    if (!PyArg_ParseTuple(args, "UO!", &base_obj, &PyList_Type, &hrefs)) return NULL;
    Py_ssize_t base_len;
    const char *base_s = PyUnicode_AsUTF8AndSize(base_obj, &base_len);
    if (base_s == NULL) return NULL;
    auto base_url = ada::parse<ada::url_aggregator>(std::string_view(base_s, (size_t)base_len));
    const ada::url_aggregator *base = base_url ? &base_url.value() : NULL;
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
            r = resolve_one(base, href);
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
    "WHATWG URL resolution of many hrefs in one call, by ada (vendored in linkspider/_vendor/ada).",
    -1, methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__ada(void) {
    PyObject *m = PyModule_Create(&module);
    if (m == NULL) return NULL;
    if (PyModule_AddStringConstant(m, "ADA_VERSION", ADA_VERSION) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
