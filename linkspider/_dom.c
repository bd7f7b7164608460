/* linkspider._dom: one C-speed pass over a Lexbor DOM that selectolax parsed.
 *
 * The region model (linkspider/regions/) needs, for every element of a page,
 * its parent, its tag, its class/id/role names and a few text measures of its
 * subtree; the extraction needs the attributes and text of every link-like
 * element.  Asking selectolax for each costs a Python call per element and a
 * subtree walk per text measure; this module reads them all in one walk of the
 * tree selectolax already built, and returns columns.
 *
 * It also holds the extraction's other loops over a page that cost too much as Python
 * bytecode and read no tree (each held to its Python twin by the tests): bound_markup,
 * term_counts (linkspider/topics.py), positions (linkspider/dom.py), mentions
 * (linkspider/regions/names.py), text_blocks and main_block_attempt
 * (linkspider/regions/main_block.py), link_prefix (linkspider/regions/density.py),
 * describer, Names.describe's common cases (linkspider/regions/names.py), and decide_links,
 * each link's region decision (linkspider/regions/__init__.py).
 *
 * Fail closed.  Nothing here reads memory whose layout it has not checked:
 *
 * - bind() takes the selectolax module that parsed the tree and looks up
 *   Lexbor's exported API (lxb_dom_node_next_noi, lxb_dom_attr_value_noi, ...)
 *   in it.  linkspider/dom.py calls it only for a selectolax version the walk
 *   was verified on (pinned in pyproject.toml).  Attributes are always read
 *   through the API.
 * - probe() reads every node of a reference tree both ways: through the API,
 *   and as the struct Lexbor 2.x/3.x lays out (type, tag id, next, prev,
 *   parent, first and last child, the namespace, a text node's characters).
 *   The struct is copied through a pipe (an unreadable address makes write()
 *   fail with EFAULT: it cannot crash) and its fields are compared with the
 *   API's answers as integers, never dereferenced; the namespace values must
 *   sort the reference elements into HTML, SVG and MathML exactly as
 *   selectolax's public serializer does; each text node's characters must equal
 *   a copy the API made.  Only when every node agrees does walk() read those
 *   fields directly (the API functions return exactly them, at a call each).
 * - configure() takes the tag ids (read with selectolax's public Node.tag_id)
 *   and the namespace ids; walk() refuses to run before it, and takes a
 *   selectolax node object (which keeps its tree alive), never an address.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

typedef struct lxb_node lxb_node; /* opaque: reached through Lexbor's API */
typedef struct lxb_attr lxb_attr;

/* Lexbor's exported functions (lexbor/dom/interfaces/), bound by bind(). */
static struct {
    lxb_node *(*first_child)(lxb_node *);
    lxb_node *(*last_child)(lxb_node *);
    lxb_node *(*next)(lxb_node *);
    lxb_node *(*prev)(lxb_node *);
    lxb_node *(*parent)(lxb_node *);
    int (*type)(lxb_node *);
    uintptr_t (*tag_id)(lxb_node *);
    lxb_attr *(*first_attr)(lxb_node *);
    lxb_attr *(*next_attr)(lxb_attr *);
    const unsigned char *(*attr_local_name)(lxb_attr *, size_t *);
    const unsigned char *(*attr_qualified_name)(lxb_attr *, size_t *);
    const unsigned char *(*attr_value)(lxb_attr *, size_t *);
    unsigned char *(*text_content)(lxb_node *, size_t *);
} api;
static const char *API_NAMES[] = {
    "lxb_dom_node_first_child_noi", "lxb_dom_node_last_child_noi", "lxb_dom_node_next_noi",
    "lxb_dom_node_prev_noi", "lxb_dom_node_parent_noi", "lxb_dom_node_type_noi",
    "lxb_dom_node_tag_id_noi", "lxb_dom_element_first_attribute_noi",
    "lxb_dom_element_next_attribute_noi", "lxb_dom_attr_local_name_noi",
    "lxb_dom_attr_qualified_name", "lxb_dom_attr_value_noi", "lxb_dom_node_text_content",
};
#define N_API (sizeof(API_NAMES) / sizeof(API_NAMES[0]))
static PyTypeObject *node_type; /* selectolax.lexbor.LexborNode */

/* Lexbor's lxb_dom_node_t as laid out in Lexbor 2.x/3.x: read only after
 * probe() has compared it with the API's answers on a reference tree. */
typedef struct {
    void *events;
    uintptr_t local_name;
    uintptr_t prefix;
    uintptr_t ns;
    void *owner_document;
    void *next, *prev, *parent, *first_child, *last_child;
    void *user;
    int type;
} lx_node_layout;
typedef struct { unsigned char *data; size_t length; } lx_str;

static bool layout_ok;  /* probe() verified the two offsets below */
static bool configured; /* configure() was called after a good probe */
#define NS_OFFSET offsetof(lx_node_layout, ns)
#define TEXT_OFFSET sizeof(lx_node_layout) /* lxb_dom_character_data_t.data */

static inline uintptr_t ns_of(lxb_node *n) { return *(uintptr_t *)((char *)n + NS_OFFSET); }
static inline lx_str *text_of(lxb_node *n) { return (lx_str *)((char *)n + TEXT_OFFSET); }

/* The node fields probe() compared with the API on every node of the reference
 * tree: once it has, walk() reads them directly (the API functions return
 * exactly these fields, at the cost of a call each). */
#define L(n) ((const lx_node_layout *)(n))
static inline int n_type(lxb_node *n) { return L(n)->type; }
static inline uintptr_t n_tag(lxb_node *n) { return L(n)->local_name; }
static inline lxb_node *n_first(lxb_node *n) { return (lxb_node *)L(n)->first_child; }
static inline lxb_node *n_next(lxb_node *n) { return (lxb_node *)L(n)->next; }
static inline lxb_node *n_parent(lxb_node *n) { return (lxb_node *)L(n)->parent; }

#define NODE_ELEMENT 1
#define NODE_TEXT 3

/* What configure() says of each known tag id (see linkspider/dom.py TAG_FLAGS). */
enum {
    F_P = 1, F_IMG = 2, F_LIST = 4, F_HIDDEN = 8, F_DIV_TO_P = 16, F_NOT_PHRASING = 32,
    F_REF = 64, F_A = 128, F_TEXT = 256, F_LEAD = 512, F_CODE = 1024,
};
/* The lead of a short text element (see linkspider.dom.LEAD_CAP) */
#define LEAD_CAP 32
#define LEAD_MAX_INK 1000
#define MAX_TAG_ID 4096
static PyObject *tag_names[MAX_TAG_ID]; /* id -> interned str; NULL: not told apart */
static unsigned tag_flags[MAX_TAG_ID];
static uintptr_t html_ns, svg_ns;
static PyObject *empty_str;

static inline unsigned flags_of(uintptr_t tag) { return tag < MAX_TAG_ID ? tag_flags[tag] : 0; }

/* ---- binding and verification ------------------------------------------- */

static PyObject *bind(PyObject *self, PyObject *args) {
    (void)self;
    const char *path;
    PyObject *type;
    if (!PyArg_ParseTuple(args, "sO!", &path, &PyType_Type, &type)) return NULL;
    /* the module is loaded already (it parsed the tree): RTLD_NOLOAD finds it */
    void *handle = dlopen(path, RTLD_NOW | RTLD_NOLOAD);
    if (handle == NULL) {
        PyErr_Format(PyExc_ImportError, "cannot find the loaded module %s: %s", path, dlerror());
        return NULL;
    }
    void *found[N_API];
    for (size_t i = 0; i < N_API; i++) {
        found[i] = dlsym(handle, API_NAMES[i]);
        if (found[i] == NULL) {
            dlclose(handle);
            PyErr_Format(PyExc_ImportError, "%s does not export Lexbor's %s", path, API_NAMES[i]);
            return NULL;
        }
    }
    _Static_assert(sizeof(api) == sizeof(found), "one function pointer per API name");
    memcpy(&api, found, sizeof(api)); /* every member is a function pointer, in API_NAMES order */
    /* the handle stays open: the functions must outlive this call */
    Py_XSETREF(node_type, (PyTypeObject *)Py_NewRef(type));
    layout_ok = configured = false;
    Py_RETURN_NONE;
}

/* A selectolax node's Lexbor node; NULL (with an exception) for anything else. */
static lxb_node *node_of(PyObject *obj) {
    if (node_type == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "linkspider._dom: bind() was not called");
        return NULL;
    }
    if (!PyObject_TypeCheck(obj, node_type)) {
        PyErr_Format(PyExc_TypeError, "expected a %s, got %s", node_type->tp_name,
                     Py_TYPE(obj)->tp_name);
        return NULL;
    }
    PyObject *id = PyObject_GetAttrString(obj, "mem_id");
    if (id == NULL) return NULL;
    lxb_node *node = (lxb_node *)PyLong_AsVoidPtr(id);
    Py_DECREF(id);
    if (node == NULL && !PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "empty node");
    return node;
}

/* Copy n bytes from p, which may be a bad pointer, through a pipe: the kernel
 * reports an unreadable p as EFAULT instead of faulting. */
static bool safe_copy(void *dst, const void *p, size_t n) {
    if (n == 0) return true;
    if (p == NULL || n > 4096) return false;
    int fds[2];
    if (pipe(fds) != 0) return false;
    bool ok = write(fds[1], p, n) == (ssize_t)n && read(fds[0], dst, n) == (ssize_t)n;
    close(fds[0]);
    close(fds[1]);
    return ok;
}

/* Does node n's memory (copied into *l) agree with the API at every field compared? */
static bool fields_agree(lxb_node *n, int type, lx_node_layout *l) {
    if (!safe_copy(l, n, sizeof(*l))) return false;
    if (l->type != type || l->next != (void *)api.next(n) || l->prev != (void *)api.prev(n) ||
        l->parent != (void *)api.parent(n) || l->first_child != (void *)api.first_child(n) ||
        l->last_child != (void *)api.last_child(n))
        return false;
    return type != NODE_ELEMENT || l->local_name == api.tag_id(n);
}

/* Do the characters at text node n's data offset equal the API's copy? */
static bool text_agrees(lxb_node *n, const unsigned char *copy, size_t len) {
    lx_str s;
    unsigned char bytes[4096];
    if (len > sizeof(bytes) || !safe_copy(&s, text_of(n), sizeof(s)) || s.length != len) return false;
    return safe_copy(bytes, s.data, len) && memcmp(bytes, copy, len) == 0;
}

/* probe(root) -> [(type, tag_id, text, ns), ...] for the element and text
 * nodes under root, in document order, read through the API (ns: the value at
 * the namespace offset, for elements), or None when the layout disagrees. */
static PyObject *probe(PyObject *self, PyObject *arg) {
    (void)self;
    lxb_node *root = node_of(arg);
    if (root == NULL) return NULL;
    layout_ok = configured = false;
    PyObject *out = PyList_New(0);
    if (out == NULL) return NULL;
    bool agree = api.type(root) == NODE_ELEMENT;
    lxb_node *node = root;
    while (node != NULL && agree) {
        int type = api.type(node);
        lx_node_layout l;
        if (!fields_agree(node, type, &l)) agree = false;
        PyObject *item = NULL;
        if (type == NODE_ELEMENT && agree) {
            item = Py_BuildValue("(iKOK)", type, (unsigned long long)api.tag_id(node), Py_None,
                                 (unsigned long long)l.ns);
        }
        else if (type == NODE_TEXT) {
            size_t len = 0;
            unsigned char *copy = api.text_content(node, &len); /* freed with the document */
            if (copy == NULL || !text_agrees(node, copy, len))
                agree = false;
            else
                item = Py_BuildValue("(iKs#K)", type, 0ULL, (const char *)copy, (Py_ssize_t)len, 0ULL);
        }
        if (item != NULL) {
            int rc = PyList_Append(out, item);
            Py_DECREF(item);
            if (rc < 0) { Py_DECREF(out); return NULL; }
        }
        else if (PyErr_Occurred()) { Py_DECREF(out); return NULL; }
        lxb_node *down = api.first_child(node);
        if (down != NULL) { node = down; continue; }
        while (node != root && api.next(node) == NULL) node = api.parent(node);
        node = node == root ? NULL : api.next(node);
    }
    if (!agree) { Py_DECREF(out); Py_RETURN_NONE; }
    layout_ok = true;
    return out;
}

/* configure({tag_id: (name, flags)}, html_ns, svg_ns): enables walk(). */
static PyObject *configure(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *tags;
    unsigned long long h, s;
    if (!PyArg_ParseTuple(args, "O!KK", &PyDict_Type, &tags, &h, &s)) return NULL;
    if (!layout_ok) {
        PyErr_SetString(PyExc_RuntimeError, "linkspider._dom: probe() has not verified the layout");
        return NULL;
    }
    for (size_t i = 0; i < MAX_TAG_ID; i++) { Py_CLEAR(tag_names[i]); tag_flags[i] = 0; }
    PyObject *key, *value;
    Py_ssize_t pos = 0;
    while (PyDict_Next(tags, &pos, &key, &value)) {
        size_t id = PyLong_AsSize_t(key);
        const char *name;
        unsigned flags;
        if (PyErr_Occurred() || !PyArg_ParseTuple(value, "sI", &name, &flags)) return NULL;
        if (id >= MAX_TAG_ID) return PyErr_Format(PyExc_ValueError, "tag id %zu too large", id);
        tag_names[id] = PyUnicode_InternFromString(name);
        if (tag_names[id] == NULL) return NULL;
        tag_flags[id] = flags;
    }
    html_ns = (uintptr_t)h;
    svg_ns = (uintptr_t)s;
    configured = true;
    Py_RETURN_NONE;
}

/* ---- text measures ------------------------------------------------------- */

/* Python's str.isspace() for a code point. */
static int is_space(uint32_t c) {
    if (c < 0x80) return c == ' ' || (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x1f);
    return c == 0x85 || c == 0xa0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200a) ||
           c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f || c == 0x3000;
}

/* Decode the character at s[i] as Python's bytes.decode("utf-8", "replace")
 * does: a well-formed sequence gives its code point, the maximal subpart of an
 * ill-formed one gives U+FFFD (Unicode 3.9, "substitution of maximal
 * subparts").  Returns the number of bytes read. */
static size_t decode_next(const unsigned char *s, size_t i, size_t n, uint32_t *cp) {
    unsigned char b = s[i];
    if (b < 0x80) { *cp = b; return 1; }
    size_t need;
    unsigned char lo = 0x80, hi = 0xbf;
    uint32_t c;
    if (b >= 0xc2 && b <= 0xdf) { need = 1; c = b & 0x1f; }
    else if (b >= 0xe0 && b <= 0xef) {
        need = 2; c = b & 0x0f;
        if (b == 0xe0) lo = 0xa0;
        else if (b == 0xed) hi = 0x9f;
    }
    else if (b >= 0xf0 && b <= 0xf4) {
        need = 3; c = b & 0x07;
        if (b == 0xf0) lo = 0x90;
        else if (b == 0xf4) hi = 0x8f;
    }
    else { *cp = 0xfffd; return 1; }
    size_t k = 1;
    for (; k <= need; k++) {
        if (i + k >= n) { *cp = 0xfffd; return k; }
        unsigned char x = s[i + k];
        if (x < lo || x > hi) { *cp = 0xfffd; return k; }
        lo = 0x80; hi = 0xbf;
        c = (c << 6) | (x & 0x3f);
    }
    *cp = c;
    return k;
}

/* How the whitespace of a text joins its neighbours' (see linkspider.dom.Spacing):
 * whitespace is what ink() leaves out (space, \n, \t, \r, U+00A0, which is C2 A0
 * in UTF-8 and cannot be misread from other bytes).  ``gaps`` counts the runs of
 * whitespace between ink characters; ``lead``/``trail``: the text starts/ends with
 * whitespace (for a text without ink: has any).  */
typedef struct {
    Py_ssize_t gaps;
    unsigned char lead, trail, inked;
} spacing_t;

/* Append a piece of text (``b``) to what an element's text holds so far (``a``). */
static void join_spacing(spacing_t *a, const spacing_t *b) {
    if (!b->inked) {
        if (a->inked) a->trail |= b->lead;
        else { a->lead |= b->lead; a->trail |= b->trail; }
        return;
    }
    if (!a->inked) {
        a->lead |= b->lead;
        a->gaps = b->gaps;
    } else {
        a->gaps += b->gaps + (a->trail || b->lead);
    }
    a->trail = b->trail;
    a->inked = 1;
}

/* Measures of one UTF-8 text: ink (characters other than space, \n, \t, \r
 * and U+00A0, as linkspider.dom.ink counts them), commas (',' and U+FF0C),
 * the last character that is not whitespace (0 when none), and its spacing
 * (linkspider.dom.text_spacing).  Characters are counted as Python decodes the
 * bytes (ill-formed ones count as U+FFFD). */
static void measure(const unsigned char *s, size_t n, Py_ssize_t *ink, Py_ssize_t *commas,
                    uint32_t *last, spacing_t *spacing) {
    /* ASCII text (the common case): branch-free counts, then the tail.  ``turns``
     * counts whitespace followed by ink: the gaps, and the leading whitespace. */
    Py_ssize_t k = 0, c = 0, turns = 0;
    unsigned char high = 0, prev = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char b = s[i];
        unsigned char ws = (b == ' ') | (b == '\n') | (b == '\t') | (b == '\r');
        high |= b;
        k += !ws;
        c += b == ',';
        turns += prev & !ws;
        prev = ws;
    }
    if (!(high & 0x80)) {
        *ink += k;
        *commas += c;
        unsigned char first = n && (s[0] == ' ' || s[0] == '\n' || s[0] == '\t' || s[0] == '\r');
        spacing->inked = k > 0;
        spacing->lead = k > 0 ? first : (n > 0);
        spacing->trail = k > 0 ? prev : (n > 0);
        spacing->gaps = k > 0 ? turns - first : 0;
        for (size_t i = n; i > 0; i--) {
            unsigned char b = s[i - 1];
            if (!(b == ' ' || (b >= 0x09 && b <= 0x0d) || (b >= 0x1c && b <= 0x1f))) {
                *last = b;
                break;
            }
        }
        return;
    }
    /* Otherwise decode, as Python would. */
    k = 0;
    c = 0;
    turns = 0;
    prev = 0;
    unsigned char first = 0, started = 0;
    uint32_t tail = 0;
    size_t i = 0;
    while (i < n) {
        unsigned char b = s[i];
        unsigned char ws;
        if (b < 0x80) {
            i++;
            ws = b == ' ' || b == '\n' || b == '\t' || b == '\r';
            if (!ws) {
                k++;
                if (b == ',') c++;
                if (!(b == 0x0b || b == 0x0c || (b >= 0x1c && b <= 0x1f))) tail = b;
            }
        } else {
            uint32_t cp;
            i += decode_next(s, i, n, &cp);
            ws = cp == 0xa0;
            if (!ws) k++;
            if (cp == 0xff0c) c++;
            if (!is_space(cp)) tail = cp;
        }
        if (!started) {
            first = ws;
            started = 1;
        }
        turns += prev & !ws;
        prev = ws;
    }
    *ink += k;
    *commas += c;
    spacing->inked = k > 0;
    spacing->lead = k > 0 ? first : (n > 0);
    spacing->trail = k > 0 ? prev : (n > 0);
    spacing->gaps = k > 0 ? turns - first : 0;
    if (tail) *last = tail;
}

static PyObject *str_or_none(const unsigned char *data, size_t length) {
    if (data == NULL) Py_RETURN_NONE;
    return PyUnicode_DecodeUTF8((const char *)data, (Py_ssize_t)length, "replace");
}

/* Attribute slots the extraction reads.  A valueless attribute reads as ""
 * (as the DOM has it); an absent one as None. */
enum {
    A_HREF, A_XLINK_HREF, A_REL, A_TITLE, A_ALT, A_CONTENT, A_NAME, A_HTTP_EQUIV, A_ROLE,
    A_CLASS, A_ID, A_ITEMPROP, N_ATTRS
};
static const struct { const char *name; size_t length; int slot; } ATTR_NAMES[] = {
    {"href", 4, A_HREF}, {"rel", 3, A_REL}, {"title", 5, A_TITLE}, {"alt", 3, A_ALT},
    {"content", 7, A_CONTENT}, {"name", 4, A_NAME}, {"http-equiv", 10, A_HTTP_EQUIV},
    {"role", 4, A_ROLE}, {"class", 5, A_CLASS}, {"id", 2, A_ID}, {"itemprop", 8, A_ITEMPROP},
};
#define N_ATTR_NAMES (sizeof(ATTR_NAMES) / sizeof(ATTR_NAMES[0]))

typedef struct {
    const unsigned char *value[N_ATTRS];
    size_t length[N_ATTRS];
    char present[N_ATTRS];
} attrs_t;

/* One pass over an element's attributes (the parser keeps the first of
 * duplicates).  Prefixed names are not read, except xlink:href (SVG links). */
static void read_attrs(lxb_node *el, attrs_t *out) {
    memset(out->present, 0, sizeof(out->present));
    for (lxb_attr *a = api.first_attr(el); a != NULL; a = api.next_attr(a)) {
        size_t ln = 0, qn = 0;
        const unsigned char *local = api.attr_local_name(a, &ln);
        api.attr_qualified_name(a, &qn);
        if (local == NULL) continue;
        int slot = -1;
        if (qn != ln) { /* a prefix */
            if (qn == 10 && ln == 4 && memcmp(local, "href", 4) == 0) slot = A_XLINK_HREF;
        }
        else {
            for (size_t k = 0; k < N_ATTR_NAMES; k++) {
                if (ATTR_NAMES[k].length == ln && memcmp(ATTR_NAMES[k].name, local, ln) == 0) {
                    slot = ATTR_NAMES[k].slot;
                    break;
                }
            }
        }
        if (slot < 0 || out->present[slot]) continue;
        size_t vl = 0;
        const unsigned char *v = api.attr_value(a, &vl);
        out->present[slot] = 1;
        out->value[slot] = v != NULL ? v : (const unsigned char *)"";
        out->length[slot] = v != NULL ? vl : 0;
    }
}

/* An attribute's value; None when absent. */
static PyObject *slot_str(attrs_t *at, int slot) {
    if (!at->present[slot]) Py_RETURN_NONE;
    return str_or_none(at->value[slot], at->length[slot]);
}

/* ASCII case-insensitive: is s[0:n], ASCII whitespace trimmed, equal to word? */
static int trimmed_is(const unsigned char *s, size_t n, const char *word) {
    while (n && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\f' || *s == '\r')) { s++; n--; }
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\f' ||
                 s[n - 1] == '\r')) n--;
    size_t w = strlen(word);
    if (n != w) return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = s[i];
        if (c >= 'A' && c <= 'Z') c += 32;
        if (c != (unsigned char)word[i]) return 0;
    }
    return 1;
}

/* Does an inline style hide the element: its last `display` is none or its last
 * `visibility` hidden (declarations split at ';', name and value at the first ':',
 * "!important" dropped)?  See linkspider.dom.style_hides. */
static int style_hides(const unsigned char *s, size_t n) {
    int display_none = 0, visibility_hidden = 0;
    size_t i = 0;
    while (i <= n) {
        size_t j = i;
        while (j < n && s[j] != ';') j++;
        size_t colon = i;
        while (colon < j && s[colon] != ':') colon++;
        if (colon < j) {
            const unsigned char *v = s + colon + 1;
            size_t vl = j - colon - 1;
            for (size_t k = 0; k + 1 <= vl; k++) { /* cut at "!" (an !important) */
                if (v[k] == '!') { vl = k; break; }
            }
            if (trimmed_is(s + i, colon - i, "display")) display_none = trimmed_is(v, vl, "none");
            else if (trimmed_is(s + i, colon - i, "visibility"))
                visibility_hidden = trimmed_is(v, vl, "hidden");
        }
        i = j + 1;
    }
    return display_none || visibility_hidden;
}

/* Not rendered, as Readability's _isProbablyVisible reads an element: a `hidden`
 * attribute, aria-hidden="true" (unless its class names a "fallback-image"), or
 * an inline style that hides it.  See linkspider.dom.attributes_hide. */
static int attr_hidden(lxb_node *el) {
    int aria = 0, fallback = 0;
    for (lxb_attr *a = api.first_attr(el); a != NULL; a = api.next_attr(a)) {
        size_t ln = 0, qn = 0, vl = 0;
        const unsigned char *local = api.attr_local_name(a, &ln);
        api.attr_qualified_name(a, &qn);
        if (local == NULL || qn != ln) continue;
        if (ln == 6 && memcmp(local, "hidden", 6) == 0) return 1;
        if (ln == 11 && memcmp(local, "aria-hidden", 11) == 0) {
            const unsigned char *v = api.attr_value(a, &vl);
            aria = v != NULL && vl == 4 && memcmp(v, "true", 4) == 0;
        }
        else if (ln == 5 && memcmp(local, "style", 5) == 0) {
            const unsigned char *v = api.attr_value(a, &vl);
            if (v != NULL && style_hides(v, vl)) return 1;
        }
        else if (ln == 5 && memcmp(local, "class", 5) == 0) {
            const unsigned char *v = api.attr_value(a, &vl);
            for (size_t k = 0; v != NULL && k + 14 <= vl; k++) {
                if (memcmp(v + k, "fallback-image", 14) == 0) { fallback = 1; break; }
            }
        }
    }
    return aria && !fallback;
}

typedef struct { char *data; size_t len, cap; } buf_t;

static int buf_add(buf_t *b, const unsigned char *s, size_t n) {
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 256;
        while (cap < b->len + n) cap *= 2;
        char *p = PyMem_Realloc(b->data, cap);
        if (p == NULL) { PyErr_NoMemory(); return -1; }
        b->data = p;
        b->cap = cap;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    return 0;
}

/* The length of the UTF-8 sequence begun but not finished at the end of s[0:n] (a valid
 * lead byte, and the valid continuation bytes after it), 0 when there is none. */
static size_t unfinished_tail(const unsigned char *s, size_t n) {
    for (size_t back = 1; back <= 3 && back <= n; back++) {
        unsigned char c = s[n - back];
        if (c >= 0x80 && c < 0xC0) continue; /* a continuation byte: the lead is further back */
        size_t need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
        if (c < 0xC2 || c > 0xF4 || back >= need) return 0; /* none, or finished */
        if (back >= 2) { /* the second byte's range, which depends on the lead */
            unsigned char c2 = s[n - back + 1], lo = 0x80, hi = 0xBF;
            if (c == 0xE0) lo = 0xA0;
            else if (c == 0xED) hi = 0x9F;
            else if (c == 0xF0) lo = 0x90;
            else if (c == 0xF4) hi = 0x8F;
            if (c2 < lo || c2 > hi) return 0;
        }
        return back;
    }
    return 0;
}

/* A text node's bytes added to the page's text.  Lexbor keeps invalid UTF-8 as sent; a
 * sequence a node leaves unfinished is one U+FFFD here, as in the node's own decoded text
 * (and in a browser, which decodes before it tokenizes): the next node's bytes must not
 * finish it. */
static int add_text_node(buf_t *b, const unsigned char *s, size_t n) {
    if (buf_add(b, s, n) < 0) return -1;
    if (n == 0 || s[n - 1] < 0x80) return 0;
    size_t k = unfinished_tail(s, n);
    if (k == 0) return 0;
    b->len -= k;
    return buf_add(b, (const unsigned char *)"\xef\xbf\xbd", 3);
}

/* The end of the run of printable ASCII (0x21..0x7e) in s[j:stop], eight bytes at a time
 * (a word's bytes are all printable when none is below 0x21 and none above 0x7e). */
static size_t printable_run(const unsigned char *s, size_t j, size_t stop) {
    const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
    while (j + 8 <= stop) {
        uint64_t w;
        memcpy(&w, s + j, 8);
        uint64_t below = (w - ones * 0x21) & ~w & highs; /* some byte < 0x21 */
        uint64_t above = ((w + ones * (127 - 0x7e)) | w) & highs; /* some byte > 0x7e */
        if (below | above) break;
        j += 8;
    }
    while (j < stop && (unsigned char)(s[j] - 0x21) < 0x5e) j++;
    return j;
}

/* " ".join(raw[:scan].split())[:cap] of the UTF-8 text s[0:n], into b: runs of
 * whitespace (str.isspace) become one space between words, none at the ends;
 * lengths count code points as Python decodes the bytes (an ill-formed
 * sequence is one U+FFFD per maximal subpart).  Reads at most `scan` code
 * points, so the work is bounded whatever the subtree holds. */
static int collapse_capped(buf_t *b, const unsigned char *s, size_t n, Py_ssize_t cap,
                           Py_ssize_t scan) {
    b->len = 0;
    Py_ssize_t out = 0, seen = 0;
    int pending = 0;
    size_t i = 0;
    while (i < n && seen < scan && out < cap) {
        unsigned char c = s[i];
        if (c > 0x20 && c < 0x7f) { /* a run of printable ASCII: copied at once */
            size_t j = i + 1;
            Py_ssize_t room = cap - out - pending, left = scan - seen;
            size_t most = (size_t)(room < left ? room : left);
            size_t stop = most < n - i ? i + most : n;
            j = printable_run(s, j, stop);
            if (pending) {
                if (buf_add(b, (const unsigned char *)" ", 1) < 0) return -1;
                pending = 0;
                if (++out >= cap) break;
            }
            if (buf_add(b, s + i, j - i) < 0) return -1;
            out += (Py_ssize_t)(j - i);
            seen += (Py_ssize_t)(j - i);
            i = j;
            continue;
        }
        uint32_t cp;
        size_t k = 1;
        if (c < 0x80) cp = c;
        else k = decode_next(s, i, n, &cp);
        seen++;
        if (c < 0x80 ? (c == ' ' || (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x1f))
                     : is_space(cp)) {
            pending = out > 0;
            i += k;
            continue;
        }
        if (pending) {
            if (buf_add(b, (const unsigned char *)" ", 1) < 0) return -1;
            pending = 0;
            if (++out >= cap) break;
        }
        if (buf_add(b, s + i, k) < 0) return -1;
        out++;
        i += k;
    }
    return 0;
}

/* What the refs say of the text of a link or title, and of a link's first <img>. */
typedef struct {
    buf_t all;            /* every text node of the page but those of scripts and styles
                             (F_CODE), in document order, concatenated */
    Py_ssize_t *img;      /* element indices of the <img> elements, ascending */
    Py_ssize_t n_img, cap_img;
    Py_ssize_t link_cap, title_cap; /* code points of collapsed text kept */
} texts_t;

/* The first <img> element inside element i (its subtree is [i, end)), or -1. */
static Py_ssize_t first_img(texts_t *t, Py_ssize_t i, Py_ssize_t end) {
    Py_ssize_t lo = 0, hi = t->n_img;
    while (lo < hi) {
        Py_ssize_t mid = (lo + hi) / 2;
        if (t->img[mid] <= i) lo = mid + 1;
        else hi = mid;
    }
    return lo < t->n_img && t->img[lo] < end ? t->img[lo] : -1;
}

/* (text, None) without an image, (text, alt or "") with; the text is the subtree's
 * text [tstart, tend) of t->all, collapsed and capped. */
static PyObject *link_text(texts_t *t, size_t tstart, size_t tend, Py_ssize_t cap,
                           lxb_node *img, buf_t *b) {
    if (collapse_capped(b, (const unsigned char *)t->all.data + tstart, tend - tstart, cap,
                        8 * cap + 1024) < 0)
        return NULL;
    PyObject *text = PyUnicode_DecodeUTF8(b->data ? b->data : "", (Py_ssize_t)b->len, "replace");
    if (text == NULL) return NULL;
    PyObject *alt;
    if (img == NULL) alt = Py_NewRef(Py_None);
    else {
        attrs_t at;
        read_attrs(img, &at);
        alt = at.present[A_ALT] ? slot_str(&at, A_ALT) : PyUnicode_FromStringAndSize("", 0);
        if (alt == NULL) { Py_DECREF(text); return NULL; }
    }
    PyObject *pair = PyTuple_Pack(2, text, alt);
    Py_DECREF(text);
    Py_DECREF(alt);
    return pair;
}

/* (index, tag, href, rel, title, alt, content, name, http-equiv, text, img_alt) */
static PyObject *ref_tuple(Py_ssize_t i, PyObject *name, unsigned flags, attrs_t *at,
                           PyObject *pair) {
    PyObject *text = Py_None, *img_alt = Py_None;
    if (pair != NULL) {
        text = PyTuple_GET_ITEM(pair, 0);
        img_alt = PyTuple_GET_ITEM(pair, 1);
    }
    int href = (flags & F_A) && !at->present[A_HREF] ? A_XLINK_HREF : A_HREF;
    PyObject *items[11] = {
        PyLong_FromSsize_t(i), Py_NewRef(name), slot_str(at, href), slot_str(at, A_REL),
        slot_str(at, A_TITLE), slot_str(at, A_ALT), slot_str(at, A_CONTENT), slot_str(at, A_NAME),
        slot_str(at, A_HTTP_EQUIV), Py_NewRef(text), Py_NewRef(img_alt),
    };
    PyObject *out = PyTuple_New(11);
    for (int k = 0; k < 11; k++) {
        if (items[k] == NULL || out == NULL) {
            for (int j = 0; j < 11; j++) Py_XDECREF(items[j]);
            Py_XDECREF(out);
            return NULL;
        }
    }
    for (int k = 0; k < 11; k++) PyTuple_SET_ITEM(out, k, items[k]);
    return out;
}

/* Per element, in document (pre-)order. */
typedef struct {
    lxb_node *node;
    uintptr_t tag;
    Py_ssize_t parent;
    Py_ssize_t end;       /* one past the last descendant: a subtree is [i, end) */
    Py_ssize_t ink;       /* non-whitespace characters of the subtree's text */
    Py_ssize_t commas;    /* ',' and U+FF0C in the subtree's text */
    Py_ssize_t own_ink;   /* the same, text children only */
    Py_ssize_t own_commas;
    Py_ssize_t children;  /* element children */
    Py_ssize_t p, img;    /* <p> and <img> descendants */
    Py_ssize_t list_ink;  /* ink of every <ul>/<ol> descendant, summed (nested ones again) */
    Py_ssize_t phrasing_ink, phrasing_commas; /* children that are phrasing content (own text added at output) */
    spacing_t spacing;    /* the whitespace of the subtree's text (gaps: a column) */
    int block_inside;     /* has a descendant that is block content (DIV_TO_P) */
    uint32_t last;        /* last non-whitespace character of the subtree's text, 0: none */
    int hidden;           /* not rendered (see attr_hidden), or inside <script>, <style>,
                             <noscript> or <template>, or inside such an element: no text */
    size_t tstart, tend;  /* the subtree's text nodes: texts_t.all[tstart:tend] */
} elem_t;

static int grow(elem_t **items, Py_ssize_t *cap, Py_ssize_t need) {
    if (need <= *cap) return 0;
    Py_ssize_t n = *cap ? *cap * 2 : 1024;
    while (n < need) n *= 2;
    elem_t *p = PyMem_Realloc(*items, (size_t)n * sizeof(elem_t));
    if (p == NULL) { PyErr_NoMemory(); return -1; }
    *items = p;
    *cap = n;
    return 0;
}

/* Close element i: its measures join its parent's. */
static void close_elem(elem_t *e, Py_ssize_t i, Py_ssize_t end, size_t text_end) {
    elem_t *x = &e[i];
    x->end = end;
    x->tend = text_end;
    if (x->parent < 0) return;
    elem_t *up = &e[x->parent];
    unsigned f = flags_of(x->tag);
    up->ink += x->ink;
    up->commas += x->commas;
    join_spacing(&up->spacing, &x->spacing);
    up->children += 1;
    up->p += x->p + ((f & F_P) != 0);
    up->img += x->img + ((f & F_IMG) != 0);
    up->list_ink += x->list_ink + ((f & F_LIST) ? x->ink : 0);
    if ((f & F_DIV_TO_P) || x->block_inside) up->block_inside = 1;
    else if (!(f & F_NOT_PHRASING)) {
        up->phrasing_ink += x->ink;
        up->phrasing_commas += x->commas;
    }
    if (x->last) up->last = x->last;
}

#define N_FIELDS 22
#define N_NUMERIC 14
/* the itemprop column: a dict {index: value} of the few elements that have one */
#define F_ITEMPROP (N_NUMERIC + 5)

static void free_texts(texts_t *t) {
    PyMem_Free(t->all.data);
    PyMem_Free(t->img);
}

static int add_img(texts_t *t, Py_ssize_t i) {
    if (t->n_img == t->cap_img) {
        Py_ssize_t cap = t->cap_img ? t->cap_img * 2 : 64;
        Py_ssize_t *p = PyMem_Realloc(t->img, (size_t)cap * sizeof(Py_ssize_t));
        if (p == NULL) { PyErr_NoMemory(); return -1; }
        t->img = p;
        t->cap_img = cap;
    }
    t->img[t->n_img++] = i;
    return 0;
}

/* Scratch kept from one walk to the next (a page's element records and its text copy), so
 * that a page reuses the last page's instead of growing its own from nothing.  A walk takes
 * it (the statics go NULL: a walk that would run inside another allocates its own) and
 * gives it back when it is at most SPARE_BYTES, so one huge page does not keep its memory. */
#define SPARE_BYTES ((size_t)4 << 20)
static elem_t *spare_elems;
static Py_ssize_t spare_elems_cap;
static buf_t spare_text;

static void give_back(elem_t *e, Py_ssize_t cap, buf_t *text) {
    if (spare_elems == NULL && (size_t)cap * sizeof(elem_t) <= SPARE_BYTES) {
        spare_elems = e;
        spare_elems_cap = cap;
    } else {
        PyMem_Free(e);
    }
    if (spare_text.data == NULL && text->cap <= SPARE_BYTES) {
        spare_text = *text;
        spare_text.len = 0;
    } else {
        PyMem_Free(text->data);
    }
    text->data = NULL;
}

static PyObject *walk(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *arg;
    texts_t texts = {{NULL, 0, 0}, NULL, 0, 0, 512, 1024};
    if (!PyArg_ParseTuple(args, "O|nn", &arg, &texts.link_cap, &texts.title_cap)) return NULL;
    if (!configured) {
        PyErr_SetString(PyExc_RuntimeError, "linkspider._dom: configure() was not called");
        return NULL;
    }
    if (texts.link_cap < 0 || texts.title_cap < 0) {
        PyErr_SetString(PyExc_ValueError, "text caps must be >= 0");
        return NULL;
    }
    lxb_node *root = node_of(arg);
    if (root == NULL) return NULL;
    if (n_type(root) != NODE_ELEMENT) {
        PyErr_SetString(PyExc_ValueError, "walk() starts at an element");
        return NULL;
    }
    elem_t *e = spare_elems;
    Py_ssize_t n = 0, cap = spare_elems_cap;
    spare_elems = NULL;
    spare_elems_cap = 0;
    texts.all = spare_text;
    spare_text = (buf_t){NULL, 0, 0};
    Py_ssize_t stack_top = -1; /* index of the innermost open element */

    lxb_node *node = root;
    while (node != NULL) {
        lxb_node *down = NULL;
        int type = n_type(node);
        if (type == NODE_ELEMENT) {
            if (grow(&e, &cap, n + 1) < 0) goto fail_walk;
            elem_t *x = &e[n];
            memset(x, 0, sizeof(*x));
            x->node = node;
            x->tag = n_tag(node);
            x->parent = stack_top;
            x->hidden = (stack_top >= 0 && e[stack_top].hidden) || (flags_of(x->tag) & F_HIDDEN) ||
                        attr_hidden(node);
            x->tstart = texts.all.len;
            if ((flags_of(x->tag) & F_IMG) && add_img(&texts, n) < 0) goto fail_walk;
            stack_top = n++;
            down = n_first(node);
            if (down == NULL) {
                close_elem(e, stack_top, n, texts.all.len);
                stack_top = e[stack_top].parent;
            }
        }
        else if (type == NODE_TEXT && stack_top >= 0) {
            lx_str *s = text_of(node);
            /* the text of a script or style is code: no link text or lead holds it */
            if (s->data != NULL && s->length && !(flags_of(e[stack_top].tag) & F_CODE) &&
                add_text_node(&texts.all, s->data, s->length) < 0)
                goto fail_walk;
            if (s->data != NULL && s->length && !e[stack_top].hidden) {
                elem_t *x = &e[stack_top];
                Py_ssize_t ink = 0, commas = 0;
                uint32_t last = 0;
                spacing_t piece;
                measure(s->data, s->length, &ink, &commas, &last, &piece);
                join_spacing(&x->spacing, &piece);
                x->ink += ink;
                x->commas += commas;
                x->own_ink += ink;
                x->own_commas += commas;
                if (last) x->last = last;
            }
        }
        if (down != NULL) { node = down; continue; }
        /* next node in document order, closing the elements we climb out of */
        lxb_node *next;
        while (node != root && (next = n_next(node)) == NULL) {
            node = n_parent(node);
            if (node == NULL) break;
            if (stack_top >= 0 && e[stack_top].node == node) {
                close_elem(e, stack_top, n, texts.all.len);
                stack_top = e[stack_top].parent;
            }
        }
        if (node == NULL || node == root) break;
        node = next;
    }
    while (stack_top >= 0) {
        close_elem(e, stack_top, n, texts.all.len);
        stack_top = e[stack_top].parent;
    }

    /* Numbers go out as one int64 buffer per column (Python reads them through
     * memoryview.cast("q"): no object per item until one is read); names and
     * flags as lists. */
    buf_t text = {NULL, 0, 0};
    PyObject *out = PyTuple_New(N_FIELDS);
    if (out == NULL) goto fail_walk;
    int64_t *cols[N_NUMERIC];
    for (int f = 0; f < N_NUMERIC; f++) {
        PyObject *b = PyBytes_FromStringAndSize(NULL, n * (Py_ssize_t)sizeof(int64_t));
        if (b == NULL) goto fail;
        PyTuple_SET_ITEM(out, f, b);
        cols[f] = (int64_t *)PyBytes_AS_STRING(b);
    }
    for (int f = N_NUMERIC; f < N_FIELDS; f++) {
        PyObject *l = f == F_ITEMPROP ? PyDict_New() : PyList_New(f == N_FIELDS - 1 ? 0 : n);
        if (l == NULL) goto fail;
        PyTuple_SET_ITEM(out, f, l);
    }
    attrs_t at;
    for (Py_ssize_t i = 0; i < n; i++) {
        elem_t *x = &e[i];
        int64_t nums[N_NUMERIC] = {
            x->parent, x->end, x->ink, x->commas, x->own_ink,
            x->own_commas, x->children, x->p, x->img, x->list_ink,
            x->phrasing_ink + x->own_ink, x->phrasing_commas + x->own_commas, x->hidden != 0,
            x->spacing.gaps,
        };
        for (int f = 0; f < N_NUMERIC; f++) cols[f][i] = nums[f];
        PyObject *name = x->tag < MAX_TAG_ID && tag_names[x->tag] ? tag_names[x->tag] : empty_str;
        read_attrs(x->node, &at);
        PyObject *lead = Py_NewRef(Py_None);
        if ((flags_of(x->tag) & F_LEAD) && x->ink > 0 && x->ink <= LEAD_MAX_INK &&
            ((flags_of(x->tag) & F_P) || !x->block_inside)) {
            Py_DECREF(lead);
            lead = collapse_capped(&text, (const unsigned char *)texts.all.data + x->tstart,
                                   x->tend - x->tstart, LEAD_CAP, 8 * LEAD_CAP + 1024) < 0
                       ? NULL
                       : PyUnicode_DecodeUTF8(text.data ? text.data : "", (Py_ssize_t)text.len,
                                              "replace");
        }
        PyObject *objs[N_FIELDS - N_NUMERIC - 1] = {
            Py_NewRef(name), PyBool_FromLong(x->last == '.'), slot_str(&at, A_CLASS),
            slot_str(&at, A_ID), slot_str(&at, A_ROLE), NULL, lead,
        };
        for (int f = N_NUMERIC; f < N_FIELDS - 1; f++) {
            if (f == F_ITEMPROP) continue;
            PyObject *v = objs[f - N_NUMERIC];
            if (v == NULL) {
                for (int g = f + 1; g < N_FIELDS - 1; g++) Py_XDECREF(objs[g - N_NUMERIC]);
                goto fail;
            }
            PyList_SET_ITEM(PyTuple_GET_ITEM(out, f), i, v);
        }
        if (at.present[A_ITEMPROP]) {
            PyObject *key = PyLong_FromSsize_t(i), *value = slot_str(&at, A_ITEMPROP);
            int rc = key && value ? PyDict_SetItem(PyTuple_GET_ITEM(out, F_ITEMPROP), key, value) : -1;
            Py_XDECREF(key);
            Py_XDECREF(value);
            if (rc < 0) goto fail;
        }
        unsigned flags = flags_of(x->tag);
        if (!(flags & F_REF)) continue;
        uintptr_t ns = ns_of(x->node);
        /* HTML elements only (an SVG <base> or <title> is not the page's), and SVG links */
        if (ns != html_ns && !((flags & F_A) && ns == svg_ns)) continue;
        PyObject *pair = NULL;
        if (flags & F_TEXT) {
            Py_ssize_t img = first_img(&texts, i, x->end);
            pair = link_text(&texts, x->tstart, x->tend,
                             (flags & F_A) ? texts.link_cap : texts.title_cap,
                             img >= 0 ? e[img].node : NULL, &text);
            if (pair == NULL) goto fail;
        }
        PyObject *ref = ref_tuple(i, name, flags, &at, pair);
        Py_XDECREF(pair);
        if (ref == NULL) goto fail;
        int rc = PyList_Append(PyTuple_GET_ITEM(out, N_FIELDS - 1), ref);
        Py_DECREF(ref);
        if (rc < 0) goto fail;
    }
    PyMem_Free(text.data);
    give_back(e, cap, &texts.all);
    free_texts(&texts);
    return out;
fail:
    Py_DECREF(out);
    PyMem_Free(text.data);
fail_walk:
    give_back(e, cap, &texts.all);
    free_texts(&texts);
    return NULL;
}

/* ---- bounding hostile markup before it is parsed ------------------------------
 *
 * Lexbor's tree builder does work proportional to the depth of the stack of
 * open elements for many start tags, and checks each new attribute against the
 * element's others: 100,000 nested <div>s, or one element with 100,000
 * attributes, take seconds to minutes.  bound_markup() reads the bytes once,
 * tokenizing as the HTML tokenizer does where it matters (comments, raw text
 * elements, quoted attribute values), keeps an estimate of the tree builder's
 * stack of open elements for the markup it writes (each rule that closes
 * elements followed: see "the tree builder's stack of open elements" below),
 * and rewrites only what exceeds the bounds: start tags that would open an
 * element deeper than max_depth are left out, with their end tags (links, and
 * the elements of the head, are kept: they are what the extraction reads), and
 * attributes past the first max_attrs of an element are left out, except those
 * the extraction reads.  A start tag left out has no effect on the estimate
 * (the tree builder never reads it): <pre><svg> x N keeps no <pre> past the
 * bound, and what it would have closed stays open.
 * In foreign content nothing is void unless self-closing and no implied end tag
 * closes anything (<svg><a><a> and <math><title><title> nest), and only an SVG
 * <a> is kept past the bound: a MathML <a> is no link, an SVG <base> or <title>
 * no base or title.
 * With drop_raw, the text of each <script> and <style> element is left out too
 * (the HTML tokenizer ends it at the same "</script" or "</style", and nothing
 * reads it): a quarter of Lexbor's tokenizing on real pages; a script holding
 * "<!--" keeps its text (the tokenizer's escaped states may end it elsewhere).
 * Options of one <select> past max_options are left out, with their end tags (their text
 * stays, in the option before): Lexbor's work for each option it inserts grows with the
 * options already in the select (60,000 took 24 s; each "selected" one costs more again).
 * Returns None when nothing is left out (the page is parsed exactly as sent),
 * else (bytes, cut): cut is true when the bounds left something out. */

/* An element of the bounded markup open on the stack (serial: its place in the order of
 * insertion), and a start tag left out, whose end tag is left out too (below: the serial of
 * the element open under it then, 0 for none). */
typedef struct {
    uint32_t hash;
    unsigned cls;       /* the T_* flags of an HTML element; a foreign one's scope flags */
    unsigned char kind; /* the K_* kind of an HTML element; K_NONE for a foreign one */
    unsigned char integration; /* 1: an HTML integration point; 2: a MathML text one */
    unsigned char foreign; /* an SVG or MathML element */
    unsigned char math;    /* in MathML (a <math> opened in HTML, and what it holds) */
    unsigned char implied; /* a <tbody> or <tr> the tree builder adds (no tag of the page) */
    /* a <template>: 0 until a start tag decides how its content is read, then
     * TEMPLATE_COLUMNS (a <col> first: a column group, which takes no tag but <col> and
     * <template>, and reads no raw text) or TEMPLATE_OTHER */
    unsigned char tmode;
    /* a <template> opened while nothing but what the head holds was read: it is in the
     * head, where a <frameset> in it is ignored (the second open element is no body) */
    unsigned char in_head;
    size_t name_at, name_len; /* the start tag's name in the input (but `implied`) */
    size_t serial;
    uint64_t kinds; /* the K_* kinds of this HTML element and those below it (or more) */
} open_t;
typedef struct {
    uint32_t hash;
    size_t name_at, name_len, below;
    int deep; /* left out for the nesting bound: what it holds is as deep */
} left_out_t;

/* The distinct tag names, or attribute names, a page has used (compared in any ASCII case,
 * as the tokenizer lowercases them).  Lexbor keeps each new name in a table whose lookups
 * grow with the names in it: 40,000 distinct custom tag names took 0.12 s to parse, 80,000
 * took 0.9 s.  Past max_names of either, a start tag (with its end tag) or an attribute
 * with a new name is left out.  Names are counted only once the page has read five times
 * max_names tags, or attributes (the labelled pages read at most 2,776 and 4,912): most
 * pages pay nothing for the count, and the parser's table holds at most six times max_names
 * names of each kind. */
typedef struct { uint32_t hash; size_t at, len; } name_t;
typedef struct { name_t *slots; size_t cap, count; } names_t;

/* Are a[0:n] and b[0:n] the same bytes in any ASCII case (two tag or attribute names)? */
static int same_ci(const unsigned char *a, const unsigned char *b, size_t n) {
    for (size_t i = 0; i < n; i++) {
        unsigned char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z') x += 32;
        if (y >= 'A' && y <= 'Z') y += 32;
        if (x != y) return 0;
    }
    return 1;
}

static int names_same(const unsigned char *s, const name_t *e, size_t at, size_t len) {
    return e->len == len && same_ci(s + e->at, s + at, len);
}

/* Is the name s[at:at+len] (hash h) known?  If not, and the set holds fewer than `most`
 * names, it is added (and known from then on).  1: known, 0: new and not added, -1: error. */
static int names_know(names_t *set, const unsigned char *s, uint32_t h, size_t at, size_t len,
                      size_t most) {
    if (set->cap) {
        for (size_t k = h & (set->cap - 1); set->slots[k].len; k = (k + 1) & (set->cap - 1))
            if (set->slots[k].hash == h && names_same(s, &set->slots[k], at, len)) return 1;
    }
    if (set->count >= most) return 0;
    if (2 * (set->count + 1) > set->cap) { /* grow (and rehash) at half full */
        size_t cap = set->cap ? 2 * set->cap : 256;
        name_t *slots = PyMem_Calloc(cap, sizeof(name_t));
        if (slots == NULL) { PyErr_NoMemory(); return -1; }
        for (size_t i = 0; i < set->cap; i++) {
            if (!set->slots[i].len) continue;
            size_t k = set->slots[i].hash & (cap - 1);
            while (slots[k].len) k = (k + 1) & (cap - 1);
            slots[k] = set->slots[i];
        }
        PyMem_Free(set->slots);
        set->slots = slots;
        set->cap = cap;
    }
    size_t k = h & (set->cap - 1);
    while (set->slots[k].len) k = (k + 1) & (set->cap - 1);
    set->slots[k] = (name_t){h, at, len};
    set->count++;
    return 1;
}

/* The list of active formatting elements, as the tree builder keeps it (an estimate): the
 * formatting elements (<a>, <b>, <font>, <code> ...) not yet closed by their end tags,
 * which the tree builder opens again ("reconstructs") in every new block until they are,
 * back to the last marker (a table cell, a caption, an <object>, a <template> ...).  Its
 * length is what one new paragraph can cost: a page of 200 unclosed <b id=..> inside a
 * closed <p>, then "<p>x</p>" over and over, makes 200 elements of every 8 bytes (12 s and
 * 4.6 GB for 400 KB in Lexbor).  Past max_formatting entries since the last marker, a
 * formatting start tag is left out, with its end tag.  An element that inserted a marker
 * clears the list back to it when it closes. */
enum { AFE_ELEMENT, AFE_MARKER };
typedef struct {
    unsigned char kind;
    uint32_t hash;
    size_t name_at, name_len, attrs_at, attrs_len; /* the start tag's name and attributes */
    size_t serial; /* an element's, on the stack of open elements while it is open */
} afe_t;
typedef struct { afe_t *items; size_t len, cap; } afe_list_t;

static int afe_push(afe_list_t *l, afe_t e) {
    if (l->len == l->cap) {
        size_t c2 = l->cap ? 2 * l->cap : 64;
        afe_t *q = PyMem_Realloc(l->items, c2 * sizeof(afe_t));
        if (q == NULL) { PyErr_NoMemory(); return -1; }
        l->items = q;
        l->cap = c2;
    }
    l->items[l->len++] = e;
    return 0;
}

/* Where the entries after the last marker begin. */
static size_t afe_section(const afe_list_t *l) {
    size_t k = l->len;
    while (k > 0 && l->items[k - 1].kind == AFE_ELEMENT) k--;
    return k;
}

/* The tree builder's clearing "to the last marker". */
static void afe_clear_to_marker(afe_list_t *l) {
    size_t k = afe_section(l);
    l->len = k > 0 ? k - 1 : 0;
}

static int afe_same_name(const unsigned char *s, const afe_t *e, uint32_t hash,
                         const unsigned char *name, size_t len) {
    return e->hash == hash && e->name_len == len && same_ci(s + e->name_at, name, len);
}

/* The last entry after the last marker named s[name:name+len]: its place, or -1. */
static Py_ssize_t afe_find(const afe_list_t *l, const unsigned char *s, uint32_t hash,
                           const unsigned char *name, size_t len) {
    for (size_t k = l->len; k > 0 && l->items[k - 1].kind == AFE_ELEMENT; k--)
        if (afe_same_name(s, &l->items[k - 1], hash, name, len)) return (Py_ssize_t)k - 1;
    return -1;
}

static void afe_remove_at(afe_list_t *l, size_t k) {
    memmove(l->items + k, l->items + k + 1, (l->len - k - 1) * sizeof(afe_t));
    l->len--;
}

/* The entry of the element of serial `serial` goes, if it is still in the list. */
static void afe_remove_serial(afe_list_t *l, size_t serial) {
    for (size_t k = l->len; k > 0; k--)
        if (l->items[k - 1].kind == AFE_ELEMENT && l->items[k - 1].serial == serial) {
            afe_remove_at(l, k - 1);
            return;
        }
}

/* An end tag of a formatting element: its entry goes (the adoption agency). */
static void afe_remove_last(afe_list_t *l, const unsigned char *s, uint32_t hash,
                            const unsigned char *name, size_t len) {
    Py_ssize_t k = afe_find(l, s, hash, name, len);
    if (k >= 0) afe_remove_at(l, (size_t)k);
}

/* The "Noah's Ark" clause for a formatting start tag: three entries alike at most after
 * the last marker, so when three are there the earliest of them goes as the new one is
 * pushed (alike is compared as the same name and the same attribute bytes, stricter than
 * the standard's same attributes in any order).  The earliest alike entry's place, or -1. */
static Py_ssize_t afe_noah(const afe_list_t *l, const unsigned char *s, uint32_t hash,
                           const unsigned char *name, size_t len, size_t attrs_at,
                           size_t attrs_len) {
    size_t start = afe_section(l), alike = 0, earliest = 0;
    for (size_t k = l->len; k > start; k--) {
        const afe_t *e = &l->items[k - 1];
        if (afe_same_name(s, e, hash, name, len) && e->attrs_len == attrs_len &&
            memcmp(s + e->attrs_at, s + attrs_at, attrs_len) == 0) {
            alike++;
            earliest = k - 1;
        }
    }
    return alike >= 3 ? (Py_ssize_t)earliest : -1;
}

/* Is the open element's name a[0:n], in any ASCII case (its hash already equal)? */
static inline int same_name(const unsigned char *s, const open_t *e, const unsigned char *a,
                            size_t n) {
    if (e->name_len != n) return 0;
    if (e->implied) /* (a <tr> or a <tbody>, by its length) */
        return same_ci(a, (const unsigned char *)(n == 2 ? "tr" : "tbody"), n);
    return same_ci(a, s + e->name_at, n);
}

static uint32_t name_hash(const unsigned char *s, size_t n) {
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = s[i];
        if (c >= 'A' && c <= 'Z') c += 32;
        h = (h ^ c) * 16777619u;
    }
    return h ^ (uint32_t)n;
}

/* Is s[0:strlen(lower)] the lowercase ASCII word `lower`, in any case? */
static inline int name_is_ci(const unsigned char *s, const char *lower) {
    for (; *lower; s++, lower++) {
        unsigned char c = *s;
        if (c >= 'A' && c <= 'Z') c += 32;
        if (c != (unsigned char)*lower) return 0;
    }
    return 1;
}

static int name_is(const unsigned char *s, size_t n, const char *const *names) {
    for (; *names; names++) {
        size_t k = strlen(*names);
        if (k != n) continue;
        size_t i = 0;
        for (; i < n; i++) {
            unsigned char c = s[i];
            if (c >= 'A' && c <= 'Z') c += 32;
            if (c != (unsigned char)(*names)[i]) break;
        }
        if (i == n) return 1;
    }
    return 0;
}

enum { T_VOID = 1, T_RAW = 2, T_KEEP = 4, T_FOREIGN_ROOT = 16, T_PLAINTEXT = 32,
       /* the standard's special elements (HTML), which end the search of an end tag with
        * no rule of its own, and of <li>, <dd> and <dt> for their kind */
       T_SPECIAL = 64,
       /* the boundaries of "in scope": no end tag or start tag that closes an element "in
        * scope" looks past them */
       T_BOUNDARY = 128,
       /* the list of active formatting elements: formatting elements (and <a>, by its
        * kind), and the markers: table cells and the other markers */
       T_FORMATTING = 256, T_MARKER = 512, T_CELL = 1024,
       /* start tags that close a <p> in button scope */
       T_CLOSES_P = 32768,
       /* end tags that close their element when it is in scope, with all above it */
       T_END_IN_SCOPE = 65536,
       /* what "generate implied end tags" closes when it is the current node */
       T_IMPLIED_END = 131072,
       /* start tags that reopen the formatting elements closed since (besides every other
        * name and <ruby>) */
       T_RECONSTRUCT = 262144,
       /* start tags after which a <frameset> is no longer read (nor is any text but
        * spaces): "frameset-ok" */
       T_FRAMESET_NOT_OK = 524288,
       /* start tags read in the head (any other ends it), and in a <noscript> there */
       T_IN_HEAD = 1048576, T_IN_HEAD_NOSCRIPT = 2097152 };
/* What the tree builder does with a start or an end tag of the name, where it has a rule of
 * its own (the HTML standard's "in body" insertion mode, and the table modes). */
enum { K_NONE, K_P, K_LI, K_DDDT, K_HEADING, K_BUTTON, K_OPTION, K_OPTGROUP, K_RB, K_RTC, K_RT,
       K_RUBY, K_SELECT, K_SELECT_CLOSER, K_CELL, K_TR, K_SECTION, K_CAPTION, K_COLGROUP,
       K_TABLE, K_TEMPLATE, K_FORM, K_DOCUMENT, K_LIST, K_ADIV, K_A, K_FORMATTING, K_BR,
       K_FRAMESET, K_COL, K_NOSCRIPT, K_HEAD_NOSCRIPT, K_NOBR, K_HR };
#define SP T_SPECIAL
#define BD T_BOUNDARY
#define CP T_CLOSES_P
#define ES T_END_IN_SCOPE
#define RC T_RECONSTRUCT
#define NO T_FRAMESET_NOT_OK
#define HD T_IN_HEAD
#define HN T_IN_HEAD_NOSCRIPT
static const struct { const char *name; unsigned flags; unsigned char kind; } TAG_CLASSES[] = {
    {"area", T_VOID | T_KEEP | SP | RC | NO}, {"base", T_VOID | T_KEEP | SP | HD},
    {"br", T_VOID | SP | RC | NO, K_BR}, {"col", T_VOID | SP, K_COL},
    {"embed", T_VOID | SP | RC | NO}, {"hr", T_VOID | SP | CP | NO, K_HR},
    {"img", T_VOID | SP | RC | NO},
    {"input", T_VOID | SP | RC, K_SELECT_CLOSER}, {"link", T_VOID | T_KEEP | SP | HD | HN},
    {"meta", T_VOID | T_KEEP | SP | HD | HN}, {"source", T_VOID | SP}, {"track", T_VOID | SP},
    {"wbr", T_VOID | SP | RC | NO}, {"param", T_VOID | SP}, {"keygen", T_VOID | SP | RC | NO},
    {"basefont", T_VOID | SP | HD | HN}, {"bgsound", T_VOID | SP | HD | HN}, {"frame", T_VOID | SP},
    {"image", T_VOID | RC | NO}, {"script", T_RAW | SP | HD}, {"style", T_RAW | SP | HD | HN},
    {"xmp", T_RAW | SP | CP | RC | NO},
    {"iframe", T_RAW | SP | NO}, {"noembed", T_RAW | SP}, {"noframes", T_RAW | SP | HD | HN},
    {"textarea", T_RAW | SP | NO}, {"title", T_RAW | T_KEEP | SP | HD},
    {"a", T_KEEP | RC, K_A}, {"html", T_KEEP | SP | BD | HD, K_DOCUMENT},
    {"head", T_KEEP | SP | HD, K_DOCUMENT}, {"body", T_KEEP | SP | NO, K_DOCUMENT},
    {"svg", T_KEEP | T_FOREIGN_ROOT | RC}, {"math", T_KEEP | T_FOREIGN_ROOT | RC},
    {"plaintext", T_PLAINTEXT | SP | CP},
    /* implied end tags */
    {"p", SP | CP | T_IMPLIED_END, K_P}, {"li", SP | CP | T_IMPLIED_END | NO, K_LI},
    {"dd", SP | CP | T_IMPLIED_END | NO, K_DDDT}, {"dt", SP | CP | T_IMPLIED_END | NO, K_DDDT},
    {"option", T_IMPLIED_END | RC, K_OPTION}, {"optgroup", T_IMPLIED_END | RC, K_OPTGROUP},
    {"rb", T_IMPLIED_END, K_RB}, {"rtc", T_IMPLIED_END, K_RTC}, {"rp", T_IMPLIED_END, K_RT},
    {"rt", T_IMPLIED_END, K_RT}, {"ruby", 0, K_RUBY},
    /* tables */
    {"table", SP | BD | NO, K_TABLE}, {"caption", T_MARKER | SP | BD, K_CAPTION},
    {"colgroup", SP, K_COLGROUP}, {"tbody", SP, K_SECTION},
    {"thead", SP, K_SECTION}, {"tfoot", SP, K_SECTION},
    {"tr", SP, K_TR}, {"td", T_CELL | SP | BD, K_CELL}, {"th", T_CELL | SP | BD, K_CELL},
    {"template", T_MARKER | SP | BD | HD, K_TEMPLATE},
    {"select", SP | BD | ES | RC | NO, K_SELECT}, {"button", SP | ES | RC | NO, K_BUTTON},
    {"form", SP | CP, K_FORM},
    /* markers */
    {"object", T_MARKER | SP | BD | ES | RC | NO}, {"marquee", T_MARKER | SP | BD | ES | RC | NO},
    {"applet", T_MARKER | SP | BD | ES | RC | NO},
    /* headings */
    {"h1", SP | CP, K_HEADING}, {"h2", SP | CP, K_HEADING}, {"h3", SP | CP, K_HEADING},
    {"h4", SP | CP, K_HEADING}, {"h5", SP | CP, K_HEADING}, {"h6", SP | CP, K_HEADING},
    /* blocks: close a <p>, and are closed by their end tag in scope */
    {"ul", SP | CP | ES, K_LIST}, {"ol", SP | CP | ES, K_LIST}, {"address", SP | CP | ES, K_ADIV},
    {"div", SP | CP | ES, K_ADIV}, {"article", SP | CP | ES}, {"aside", SP | CP | ES},
    {"blockquote", SP | CP | ES}, {"center", SP | CP | ES}, {"details", SP | CP | ES},
    {"dialog", CP | ES}, {"dir", SP | CP | ES}, {"dl", SP | CP | ES}, {"fieldset", SP | CP | ES},
    {"figcaption", SP | CP | ES}, {"figure", SP | CP | ES}, {"footer", SP | CP | ES},
    {"header", SP | CP | ES}, {"hgroup", SP | CP | ES}, {"main", SP | CP | ES},
    {"menu", SP | CP | ES}, {"nav", SP | CP | ES}, {"search", SP | CP | ES},
    {"section", SP | CP | ES}, {"summary", SP | CP | ES}, {"pre", SP | CP | ES | NO},
    {"listing", SP | CP | ES | NO}, {"frameset", SP | BD, K_FRAMESET},
    {"noscript", SP | RC | HD, K_NOSCRIPT},
    /* formatting elements */
    {"b", T_FORMATTING | RC, K_FORMATTING}, {"big", T_FORMATTING | RC, K_FORMATTING},
    {"code", T_FORMATTING | RC, K_FORMATTING}, {"em", T_FORMATTING | RC, K_FORMATTING},
    {"font", T_FORMATTING | RC, K_FORMATTING}, {"i", T_FORMATTING | RC, K_FORMATTING},
    {"nobr", T_FORMATTING | RC, K_NOBR}, {"s", T_FORMATTING | RC, K_FORMATTING},
    {"small", T_FORMATTING | RC, K_FORMATTING}, {"strike", T_FORMATTING | RC, K_FORMATTING},
    {"strong", T_FORMATTING | RC, K_FORMATTING}, {"tt", T_FORMATTING | RC, K_FORMATTING},
    {"u", T_FORMATTING | RC, K_FORMATTING},
};
#undef SP
#undef BD
#undef CP
#undef ES
#undef RC
#undef NO
#undef HD
#undef HN
#define N_TAG_CLASSES (sizeof(TAG_CLASSES) / sizeof(TAG_CLASSES[0]))
#define CLASS_SLOTS 512 /* open addressing on the name hash */
static uint32_t class_hash[CLASS_SLOTS];
static unsigned class_flags[CLASS_SLOTS];
static unsigned char class_kind[CLASS_SLOTS];
static const char *class_name[CLASS_SLOTS];
static size_t class_len[CLASS_SLOTS];
static int classes_ready;

static void init_classes(void) {
    for (size_t i = 0; i < N_TAG_CLASSES; i++) {
        const char *name = TAG_CLASSES[i].name;
        uint32_t h = name_hash((const unsigned char *)name, strlen(name));
        size_t slot = h % CLASS_SLOTS;
        while (class_name[slot]) slot = (slot + 1) % CLASS_SLOTS;
        class_hash[slot] = h;
        class_flags[slot] = TAG_CLASSES[i].flags;
        class_kind[slot] = TAG_CLASSES[i].kind;
        class_name[slot] = name;
        class_len[slot] = strlen(name);
    }
    classes_ready = 1;
}

/* The T_* flags of the tag named s[0:n], whose hash is h, and its K_* kind in *kind (0 and
 * K_NONE for every other name; the name compared in any ASCII case, so that a name made to
 * share a known tag's hash is not taken for it). */
static unsigned tag_class(uint32_t h, const unsigned char *s, size_t n, unsigned char *kind) {
    for (size_t slot = h % CLASS_SLOTS; class_name[slot]; slot = (slot + 1) % CLASS_SLOTS) {
        if (class_hash[slot] != h) continue;
        if (class_len[slot] == n && name_is_ci(s, class_name[slot])) {
            *kind = class_kind[slot];
            return class_flags[slot];
        }
    }
    *kind = K_NONE;
    return 0;
}

static const char *const KEEP_ATTRS[] = {
    "href", "xlink:href", "rel", "title", "alt", "class", "id", "role", "name", "content",
    "http-equiv", "charset", "lang", "src", "type", NULL};

/* Start tags that take foreign content (SVG, MathML) back to HTML (the HTML standard's
 * "in foreign content" rules; <font> whatever its attributes). */
static const char *const FOREIGN_EXITS[] = {
    "b", "big", "blockquote", "body", "br", "center", "code", "dd", "div", "dl", "dt", "em",
    "embed", "h1", "h2", "h3", "h4", "h5", "h6", "head", "hr", "i", "img", "li", "listing",
    "menu", "meta", "nobr", "ol", "p", "pre", "ruby", "s", "small", "span", "strong", "strike",
    "sub", "sup", "table", "tt", "u", "ul", "var", "font", NULL};

#define IS_WS(c) ((c) == ' ' || (c) == '\t' || (c) == '\n' || (c) == '\f' || (c) == '\r')
#define IS_ALPHA(c) (((c) | 32) >= 'a' && ((c) | 32) <= 'z')
/* Byte classes for the tokenizing loops (one table lookup instead of five comparisons). */
enum { C_WS = 1, C_SLASH = 2, C_GT = 4, C_EQ = 8 };
static const unsigned char CC[256] = {
    ['\t'] = C_WS, ['\n'] = C_WS, ['\f'] = C_WS, ['\r'] = C_WS, [' '] = C_WS,
    ['/'] = C_SLASH, ['>'] = C_GT, ['='] = C_EQ,
};

/* The output, made only once something must change: the bytes before are copied, into
 * a bytes object of the input's size (the output is never longer), shrunk at the end. */
typedef struct { PyObject *out; size_t len, copied, n; int active; } rewrite_t;

static int rw_skip(rewrite_t *w, const unsigned char *s, size_t from, size_t to) {
    /* leave s[from:to] out: copy what came before it (a span left out already, or a part
     * of one, is not copied again: the output never grows past the input) */
    if (to <= w->copied) return 0;
    if (from < w->copied) from = w->copied;
    if (!w->active) {
        w->out = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)w->n);
        if (w->out == NULL) return -1;
        w->active = 1;
    }
    memcpy(PyBytes_AS_STRING(w->out) + w->len, s + w->copied, from - w->copied);
    w->len += from - w->copied;
    w->copied = to;
    return 0;
}

/* Write `with` (no longer than s[from:to]) in place of s[from:to]. */
static int rw_replace(rewrite_t *w, const unsigned char *s, size_t from, size_t to,
                      const char *with) {
    if (rw_skip(w, s, from, to) < 0) return -1;
    size_t k = strlen(with);
    memcpy(PyBytes_AS_STRING(w->out) + w->len, with, k);
    w->len += k;
    return 0;
}

static size_t find_bytes(const unsigned char *s, size_t n, size_t from, const char *needle) {
    size_t k = strlen(needle);
    while (from + k <= n) {
        const unsigned char *p = memchr(s + from, needle[0], n - from);
        if (p == NULL) return n;
        size_t at = (size_t)(p - s);
        if (at + k <= n && memcmp(s + at, needle, k) == 0) return at;
        from = at + 1;
    }
    return n;
}

/* The end of a raw text element's content: its "</name" followed by a space, / or >. */
static size_t raw_text_end(const unsigned char *s, size_t n, size_t from,
                           const unsigned char *name, size_t len) {
    while (from < n) {
        const unsigned char *p = memchr(s + from, '<', n - from);
        if (p == NULL) return n;
        size_t at = (size_t)(p - s);
        if (at + 2 + len <= n && s[at + 1] == '/' && same_ci(s + at + 2, name, len) &&
            (at + 2 + len == n || IS_WS(s[at + 2 + len]) || s[at + 2 + len] == '/' ||
             s[at + 2 + len] == '>'))
            return at;
        from = at + 1;
    }
    return n;
}

/* Where the name of the attribute starting at p (not a space, "/" or ">") ends. */
static inline size_t attr_name_end(const unsigned char *s, size_t n, size_t p) {
    if (s[p] == '=') p++; /* a name may start with '=' */
    while (p < n && !(CC[s[p]] & (C_WS | C_SLASH | C_GT | C_EQ))) p++;
    return p;
}

/* Where the attribute starting at p (not a space, "/" or ">") ends, as the HTML tokenizer
 * reads it (a quoted value may hold ">"). */
static inline size_t attr_end(const unsigned char *s, size_t n, size_t p) {
    size_t name_end = p = attr_name_end(s, n, p);
    while (p < n && (CC[s[p]] & C_WS)) p++;
    if (p >= n || s[p] != '=') return name_end; /* a valueless attribute */
    p++;
    while (p < n && (CC[s[p]] & C_WS)) p++;
    if (p < n && (s[p] == '"' || s[p] == '\'')) {
        const unsigned char *q = memchr(s + p + 1, s[p], n - p - 1);
        return q ? (size_t)(q - s) + 1 : n;
    }
    while (p < n && !(CC[s[p]] & (C_WS | C_GT))) p++;
    return p;
}

/* Where the tag whose attributes start at p ends (after its ">"), or n. */
static size_t attrs_end(const unsigned char *s, size_t n, size_t p) {
    while (p < n) {
        while (p < n && (CC[s[p]] & (C_WS | C_SLASH))) p++;
        if (p >= n) break;
        if (s[p] == '>') return p + 1;
        p = attr_end(s, n, p);
    }
    return n;
}

/* Where a comment whose text starts at `from` ends (after its "-->" or "--!>"; an empty
 * "<!-->" or "<!--->" ends at once), or n: the HTML tokenizer's comment states. */
static size_t comment_end(const unsigned char *s, size_t n, size_t from) {
    if (from < n && s[from] == '>') return from + 1;
    if (from + 1 < n && s[from] == '-' && s[from + 1] == '>') return from + 2;
    for (size_t p = from; p + 2 < n; p++) {
        const unsigned char *dash = memchr(s + p, '-', n - p - 2);
        if (dash == NULL) return n;
        p = (size_t)(dash - s);
        if (s[p + 1] != '-') continue;
        if (s[p + 2] == '>') return p + 3;
        if (s[p + 2] == '!' && p + 3 < n && s[p + 3] == '>') return p + 4;
    }
    return n;
}

/* The value of a start tag's attribute named `want` (lowercase), its attributes being
 * s[from:to]: 1 and the value in *v, *vlen (when asked) if it has one, else 0 (the first of
 * a name counts, as for the tokenizer; character references are not decoded). */
static int attr_value(const unsigned char *s, size_t from, size_t to, const char *want,
                      const unsigned char **v, size_t *vlen) {
    size_t p = from, k = strlen(want);
    while (p < to) {
        while (p < to && (CC[s[p]] & (C_WS | C_SLASH))) p++;
        if (p >= to || s[p] == '>') break;
        size_t a = p, a_end = attr_name_end(s, to, p);
        p = attr_end(s, to, p);
        if (a_end - a != k || !name_is_ci(s + a, want)) continue;
        size_t q = a_end;
        while (q < p && (CC[s[q]] & C_WS)) q++;
        const unsigned char *value = s + a_end;
        size_t value_len = 0;
        if (q < p && s[q] == '=') {
            q++;
            while (q < p && (CC[s[q]] & C_WS)) q++;
            value = s + q;
            value_len = p - q;
            if (value_len >= 2 && (s[q] == '"' || s[q] == '\'')) {
                value++;
                value_len -= 2;
            }
        }
        if (v) *v = value;
        if (vlen) *vlen = value_len;
        return 1;
    }
    return 0;
}

/* ---- the tree builder's stack of open elements, as bound_markup() estimates it ----------
 *
 * Each rule by which the tree builder closes elements is followed where it can close more
 * than the current node (the HTML standard's "in body" and table insertion modes, and
 * foreign content): an estimate that closed an element the tree builder keeps open would
 * let that page nest past the bound (<li><section> x 20,000 took Lexbor 3 s; <span><div>
 * </span> is no closed span), and one that kept open an element the tree builder closed
 * would close, at that element's next end tag, what is open above it.  Where the estimate
 * cannot tell, it closes nothing (each search looks at most LOOK elements down).
 * tests/fuzz_depth.py holds Lexbor's trees of random tag soup to twice the bound. */
#define NONE ((size_t)-1)
#define LOOK 256
enum { STOP_NONE, STOP_SPECIAL, STOP_SPECIAL_BUT_ADP, STOP_SCOPE, STOP_LIST, STOP_BUTTON,
       STOP_TABLE, STOP_MARKER };
/* Foreign elements that end a scope (and are special): MathML's text integration points and
 * annotation-xml, SVG's HTML integration points. */
static const char *const SVG_SCOPE[] = {"foreignobject", "desc", "title", NULL};
static const char *const MATH_SCOPE[] = {"mi", "mo", "mn", "ms", "mtext", "annotation-xml", NULL};

/* Serials of the elements the estimate opens, in the order it opens them, SERIAL_GAP apart:
 * a clone the adoption agency leaves between two open elements gets one between theirs. */
#define SERIAL_GAP ((size_t)1 << 16)

/* The place on the stack of the element of serial `serial`, or NONE when it is closed.
 * (The stack's serials rise from the bottom.) */
static size_t place_of(const open_t *stack, size_t depth, size_t serial) {
    size_t lo = 0, hi = depth;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (stack[mid].serial < serial) lo = mid + 1;
        else hi = mid;
    }
    return lo < depth && stack[lo].serial == serial ? lo : NONE;
}

static inline int is_open(const open_t *stack, size_t depth, size_t serial) {
    return place_of(stack, depth, serial) != NONE;
}

static inline int stops(const open_t *e, int stop) {
    if (e->kind == K_FRAMESET) return 1; /* (nothing but its end tag closes one) */
    switch (stop) {
    case STOP_SPECIAL: return (e->cls & T_SPECIAL) != 0;
    case STOP_SPECIAL_BUT_ADP: /* (the search of <li>, <dd> and <dt>) */
        return (e->cls & T_SPECIAL) && e->kind != K_P && e->kind != K_ADIV;
    case STOP_SCOPE: return (e->cls & T_BOUNDARY) != 0;
    case STOP_LIST: return (e->cls & T_BOUNDARY) || e->kind == K_LIST;
    case STOP_BUTTON: return (e->cls & T_BOUNDARY) || e->kind == K_BUTTON;
    case STOP_TABLE: return e->kind == K_TABLE || e->kind == K_TEMPLATE;
    case STOP_MARKER: return (e->cls & (T_MARKER | T_CELL)) != 0;
    default: return 0;
    }
}

/* The place on the stack of the nearest open HTML element of kind `kind` (K_HEADING: any
 * heading) or, for K_NONE, named s[name:name+len], looking down from the top and past no
 * element `stop` names (an element is matched before it stops the search); NONE if none. */
static size_t find_open(const open_t *stack, size_t depth, int kind, const unsigned char *s,
                        uint32_t hash, const unsigned char *name, size_t len, int stop) {
    if (kind != K_NONE && depth && !(stack[depth - 1].kinds & ((uint64_t)1 << kind)))
        return NONE; /* (none of the kind below the top) */
    size_t limit = depth > LOOK ? depth - LOOK : 0;
    for (size_t k = depth; k > limit; k--) {
        const open_t *e = &stack[k - 1];
        if (!e->foreign &&
            (kind != K_NONE ? e->kind == kind : e->hash == hash && same_name(s, e, name, len)))
            return k - 1;
        if (stops(e, stop)) return NONE;
    }
    return NONE;
}

static inline size_t find_kind(const open_t *stack, size_t depth, int kind, int stop) {
    return find_open(stack, depth, kind, NULL, 0, NULL, 0, stop);
}

/* Is a <template> open (within LOOK)?  What a template holds leaves frameset-ok and the
 * form pointer as they are, and a </form> in it closes any form in scope. */
static inline int template_open(const open_t *stack, size_t depth) {
    return find_kind(stack, depth, K_TEMPLATE, STOP_NONE) != NONE;
}

/* Is a <template> of the head open (within LOOK)?  A <frameset> in it is ignored. */
static int head_template_open(const open_t *stack, size_t depth) {
    size_t limit = depth > LOOK ? depth - LOOK : 0;
    for (size_t k = depth; k > limit; k--)
        if (!stack[k - 1].foreign && stack[k - 1].kind == K_TEMPLATE && stack[k - 1].in_head)
            return 1;
    return 0;
}

/* "Generate implied end tags" (but for elements of kind `except`): the new depth. */
static size_t close_implied(const open_t *stack, size_t depth, int except) {
    while (depth && !stack[depth - 1].foreign && (stack[depth - 1].cls & T_IMPLIED_END) &&
           stack[depth - 1].kind != except)
        depth--;
    return depth;
}

/* A tag that leaves foreign content: the foreign elements above the nearest HTML element or
 * integration point close.  The new depth. */
static size_t leave_foreign(const open_t *stack, size_t depth) {
    while (depth && stack[depth - 1].foreign && !stack[depth - 1].integration) depth--;
    return depth;
}

/* Is the open element at place k in scope (no boundary above it, within LOOK)? */
static int in_scope(const open_t *stack, size_t depth, size_t k) {
    if (depth - k > LOOK) return 0;
    for (size_t j = k + 1; j < depth; j++)
        if (stack[j].cls & T_BOUNDARY) return 0;
    return 1;
}

/* The start tags left out above the open element of serial `serial` are forgotten (it
 * closes, and they with it). */
static void forget_left_out(const left_out_t *left, size_t *count, size_t serial) {
    while (*count && left[*count - 1].below >= serial) (*count)--;
}

/* Is a special element open above place k (the adoption agency's "furthest block")? */
static int special_above(const open_t *stack, size_t depth, size_t k) {
    for (size_t j = k + 1; j < depth; j++)
        if (stack[j].cls & T_SPECIAL) return 1;
    return 0;
}

/* Is the element of serial `serial` an active formatting element (among the last LOOK)? */
static int afe_has(const afe_list_t *afe, size_t serial) {
    size_t limit = afe->len > LOOK ? afe->len - LOOK : 0;
    for (size_t k = afe->len; k > limit; k--)
        if (afe->items[k - 1].kind == AFE_ELEMENT && afe->items[k - 1].serial == serial) return 1;
    return 0;
}

/* How the open element an end tag closes leaves the stack. */
typedef enum {
    CLOSE_WITH_ABOVE, /* it and every element above it */
    CLOSE_ALONE,      /* it alone (a form: implied end tags first) */
    CLOSE_ADOPTION,   /* by the adoption agency's outer loop (a special element is above it) */
} close_how_t;

enum { TEMPLATE_COLUMNS = 1, TEMPLATE_OTHER = 2 };

/* The adoption agency, for an end tag of a formatting element (or a <nobr> start tag when
 * a <nobr> is in scope) named s[name:name+len]: *target is the open element that closes,
 * *how says how, or NONE;
 * *entry the active formatting element that goes, or -1.  The current node goes if it is
 * of the name and no active formatting element; else the last active formatting element of
 * the name, if it is open and in scope; without one, the end tag is read as any other. */
static void adoption(const open_t *stack, size_t depth, const afe_list_t *afe,
                     const unsigned char *s, uint32_t hash, const unsigned char *name,
                     size_t len, size_t *target, close_how_t *how, Py_ssize_t *entry) {
    *target = NONE;
    *how = CLOSE_WITH_ABOVE;
    *entry = -1;
    if (depth) {
        const open_t *top = &stack[depth - 1];
        if (!top->foreign && top->hash == hash && same_name(s, top, name, len) &&
            !afe_has(afe, top->serial)) {
            *target = depth - 1;
            return;
        }
    }
    Py_ssize_t e = afe_find(afe, s, hash, name, len);
    if (e < 0) {
        *target = find_open(stack, depth, K_NONE, s, hash, name, len, STOP_SPECIAL);
        return;
    }
    size_t k = place_of(stack, depth, afe->items[e].serial);
    if (k != NONE && !in_scope(stack, depth, k)) return; /* ignored */
    *entry = e;
    *target = k;
    if (k != NONE && special_above(stack, depth, k)) *how = CLOSE_ADOPTION;
}

/* The adoption agency's outer loop, for the formatting element at place `fe` with a special
 * element above it: the formatting element leaves the stack; of the elements between it and
 * the first special element above it (the "furthest block"), the active formatting elements
 * among the three nearest that block stay (cloned), the others go; the loop goes on past
 * that block with the formatting element's clone, at most eight times, and the elements
 * after the last special one close (with the start tags left out above them): 0.  Where the
 * loop stops early (a scope boundary, or eight rounds), the last clone stays open after the
 * last block it passed, and active in the element's place (its entry takes the clone's
 * serial, which lies between its neighbours'): 1. */
static int adopt(open_t *stack, size_t *depth, size_t fe, size_t *left_count,
                 const left_out_t *left, afe_list_t *afe) {
    size_t n = *depth, out = fe, i = fe + 1;
    open_t clone = stack[fe];
    for (int round = 1;; round++) {
        size_t j = i;
        while (j < n && !(stack[j].cls & T_SPECIAL)) j++;
        int stop = round > 8;
        for (size_t k = i; k < n && round > 1 && !stop; k++)
            stop = (stack[k].cls & T_BOUNDARY) != 0;
        if (stop) { /* (round > 1: a block was passed, at out - 1; out < i: room for it) */
            size_t below = stack[out - 1].serial;
            size_t above = i < n ? stack[i].serial : below + SERIAL_GAP;
            if (above - below < 2) { /* no serial left between them: it stays where it was */
                memmove(stack + fe + 1, stack + fe, (out - fe) * sizeof(open_t));
                stack[fe] = clone;
                out++;
            }
            else {
                size_t was = clone.serial;
                clone.serial = below + (above - below) / 2;
                clone.kinds = stack[out - 1].kinds | ((uint64_t)1 << clone.kind);
                for (size_t k = afe->len; k > 0; k--)
                    if (afe->items[k - 1].kind == AFE_ELEMENT && afe->items[k - 1].serial == was)
                        afe->items[k - 1].serial = clone.serial;
                stack[out++] = clone;
            }
            memmove(stack + out, stack + i, (n - i) * sizeof(open_t));
            *depth = out + (n - i);
            return 1;
        }
        if (j == n) { /* no furthest block: the clone closes, with all after it */
            if (i < n) forget_left_out(left, left_count, stack[i].serial);
            break;
        }
        for (size_t k = i; k < j; k++) /* the three nearest the block, if active, stay */
            if (j - k <= 3 && afe_has(afe, stack[k].serial)) stack[out++] = stack[k];
        stack[out++] = stack[j];
        i = j + 1;
    }
    *depth = out;
    return 0;
}

/* The innermost open element that sets one of the table insertion modes (a cell, row, row
 * group, caption, column group, table or template), or NONE (the "in body" mode). */
static size_t table_mode(const open_t *stack, size_t depth) {
    size_t limit = depth > LOOK ? depth - LOOK : 0;
    for (size_t k = depth; k > limit; k--) {
        const open_t *e = &stack[k - 1];
        if (e->foreign) continue;
        switch (e->kind) {
        case K_CELL: case K_TR: case K_SECTION: case K_CAPTION: case K_COLGROUP: case K_TABLE:
        case K_TEMPLATE: return k - 1;
        default: break;
        }
    }
    return NONE;
}

/* Is the tree builder in a table, a row group or a row (not in a cell or caption), where
 * what is no table part is put before the table? */
static int in_table_mode(const open_t *stack, size_t depth) {
    size_t mode = table_mode(stack, depth);
    return mode != NONE && (stack[mode].kind == K_TABLE || stack[mode].kind == K_SECTION ||
                            stack[mode].kind == K_TR);
}

/* Is the <input> whose attributes are s[from:to] of type "hidden"? */
static int hidden_input(const unsigned char *s, size_t from, size_t to) {
    const unsigned char *v;
    size_t vlen;
    return attr_value(s, from, to, "type", &v, &vlen) && vlen == 6 && name_is_ci(v, "hidden");
}


/* The character a character reference at s[0:n] (an "&") stands for, in *cp, and its
 * length: numeric references (decimal or hexadecimal, with or without ";", 0x110000 for
 * any past U+10FFFF) and the two named ones that stand for whitespace (&Tab; &NewLine;);
 * any other "&" is itself (length 1). */
static size_t char_ref(const unsigned char *s, size_t n, uint32_t *cp) {
    *cp = '&';
    if (n >= 5 && memcmp(s, "&Tab;", 5) == 0) { *cp = 9; return 5; }
    if (n >= 9 && memcmp(s, "&NewLine;", 9) == 0) { *cp = 10; return 9; }
    if (n < 3 || s[1] != '#') return 1;
    int hex = s[2] == 'x' || s[2] == 'X';
    size_t i = hex ? 3 : 2, start = i;
    uint32_t v = 0;
    for (; i < n; i++) {
        unsigned c = s[i], d;
        if (c >= '0' && c <= '9') d = c - '0';
        else if (hex && (c | 32) >= 'a' && (c | 32) <= 'f') d = (c | 32) - 'a' + 10;
        else break;
        v = v >= 0x110000 ? 0x110000 : v * (hex ? 16 : 10) + d;
    }
    if (i == start) return 1; /* "&#" and no digit: no reference */
    *cp = v > 0x110000 ? 0x110000 : v;
    return i < n && s[i] == ';' ? i + 1 : i;
}

/* What text s[0:n] holds, as the tree builder reads it (character references decoded;
 * where Lexbor departs from the HTML standard, as Lexbor reads it). */
enum {
    TX_CHAR = 1,     /* a character but a NUL byte (which the "in body" rules ignore) */
    TX_NONSPACE = 2, /* a character but whitespace (a NUL byte is one) */
    TX_INK = 4,      /* a character but whitespace and NUL bytes */
    /* a character that ends frameset-ok: one of TX_INK but, in foreign content, a U+FFFD
     * (written, or a reference to 0, U+FFFD, a surrogate or past U+10FFFF), which Lexbor
     * reads there as it reads a NUL */
    TX_FRAMESET = 8,
    TX_ALL = 15,
};
static unsigned text_holds(const unsigned char *s, size_t n, int foreign) {
    unsigned got = 0;
    for (size_t i = 0; i < n && got != TX_ALL;) {
        unsigned char c = s[i];
        if (c == 0) { got |= TX_NONSPACE; i++; continue; }
        uint32_t cp = c;
        size_t len = 1;
        if (c == '&') len = char_ref(s + i, n - i, &cp);
        else if (c == 0xEF && i + 2 < n && s[i + 1] == 0xBF && s[i + 2] == 0xBD) {
            cp = 0xFFFD;
            len = 3;
        }
        i += len;
        got |= TX_CHAR;
        if (cp == '\t' || cp == '\n' || cp == '\f' || cp == '\r' || cp == ' ') continue;
        got |= TX_NONSPACE | TX_INK;
        int replaced = cp == 0 || cp == 0xFFFD || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF;
        if (!(foreign && replaced)) got |= TX_FRAMESET;
    }
    return got;
}

/* Does text that holds `got` (text_holds) reopen the formatting elements?  Any text does
 * (the "in body" rules) but NULs, which they ignore; where the current node is a table, a
 * row group or a row, only text with more than spaces and NULs (which the tree builder puts
 * before the table). */
static int text_reconstructs(const open_t *stack, size_t depth, unsigned got) {
    int kind = depth && !stack[depth - 1].foreign ? stack[depth - 1].kind : K_NONE;
    return kind == K_TABLE || kind == K_SECTION || kind == K_TR ? (got & TX_INK) != 0
                                                                : (got & TX_CHAR) != 0;
}

/* What an HTML start tag of kind `kind` (and flags `cls`) closes before it is inserted:
 * *depth is lowered; returns 1 when the tree builder ignores the tag (inserts nothing).  (An
 * <a>'s or a <nobr>'s adoption agency, which reads the active formatting elements, is in
 * bound_markup.) */
static int start_closes(const open_t *stack, size_t *depth, int kind, unsigned cls,
                        int *implied) {
    size_t d = *depth, k;
    *implied = 0;
    if (kind == K_LI || kind == K_DDDT) {
        k = find_kind(stack, d, kind, STOP_SPECIAL_BUT_ADP);
        if (k != NONE) d = k;
    }
    if (cls & T_CLOSES_P) {
        k = find_kind(stack, d, K_P, STOP_BUTTON);
        if (k != NONE) d = k;
    }
    int ignored = 0;
    switch (kind) {
    case K_DOCUMENT: ignored = 1; break; /* <html>, <head>, <body>: attributes, at most */
    case K_HEADING:
        if (d && !stack[d - 1].foreign && stack[d - 1].kind == K_HEADING) d--;
        break;
    case K_BUTTON:
        k = find_kind(stack, d, K_BUTTON, STOP_SCOPE);
        if (k != NONE) d = k;
        break;
    case K_OPTION: case K_OPTGROUP:
        if (find_kind(stack, d, K_SELECT, STOP_SCOPE) != NONE)
            d = close_implied(stack, d, kind == K_OPTION ? K_OPTGROUP : -1);
        else if (d && !stack[d - 1].foreign && stack[d - 1].kind == K_OPTION) d--;
        break;
    case K_RB: case K_RTC: case K_RT:
        if (find_kind(stack, d, K_RUBY, STOP_SCOPE) != NONE)
            d = close_implied(stack, d, kind == K_RT ? K_RTC : -1);
        break;
    case K_SELECT: /* a select inside a select closes it, and is no element */
        k = find_kind(stack, d, K_SELECT, STOP_SCOPE);
        if (k != NONE) {
            d = k;
            ignored = 1;
        }
        break;
    case K_HR: /* in a select: "generate implied end tags" */
        if (find_kind(stack, d, K_SELECT, STOP_SCOPE) != NONE) d = close_implied(stack, d, -1);
        break;
    case K_SELECT_CLOSER:
        k = find_kind(stack, d, K_SELECT, STOP_SCOPE);
        if (k != NONE) d = k;
        break;
    case K_CELL: case K_TR: case K_SECTION: case K_CAPTION: case K_COLGROUP: {
        size_t mode = table_mode(stack, d);
        if (mode == NONE) { ignored = 1; break; } /* no table: ignored */
        if (stack[mode].kind == K_TEMPLATE) break;
        /* the stack is cleared back to a table context: the nearest table, or a template
         * above it (whose content the tree builder then fills) */
        size_t table = find_kind(stack, d, K_TABLE, STOP_TABLE);
        if (table == NONE) table = find_kind(stack, d, K_TEMPLATE, STOP_TABLE);
        if (table == NONE) break;
        /* the stack is cleared back to the row (a cell), the row group (a row or a cell) or
         * the table, and the tree builder adds the row group and the row missing */
        size_t row = kind == K_CELL ? find_kind(stack, d, K_TR, STOP_TABLE) : NONE;
        size_t group = (kind == K_CELL || kind == K_TR) && row == NONE
                           ? find_kind(stack, d, K_SECTION, STOP_TABLE) : NONE;
        d = (row != NONE ? row : group != NONE ? group : table) + 1;
        if (row == NONE && (kind == K_CELL || kind == K_TR))
            *implied = (kind == K_CELL) + (group == NONE);
        break;
    }
    case K_TABLE: /* a table in a table (not in a cell or caption) closes the first, when
                   * one is in table scope (below the nearest template); else it is ignored */
        if (in_table_mode(stack, d)) {
            k = find_kind(stack, d, K_TABLE, STOP_TABLE);
            if (k != NONE) d = k;
            else ignored = 1;
        }
        break;
    default: break;
    }
    *depth = d;
    return ignored;
}

/* Would the tree builder reopen a formatting element here (is the last entry after the
 * last marker closed)? */
static int afe_closed(const afe_list_t *afe, const open_t *stack, size_t depth) {
    return afe->len && afe->items[afe->len - 1].kind == AFE_ELEMENT &&
           !is_open(stack, depth, afe->items[afe->len - 1].serial);
}

/* A new entry on top of the stack, zeroed (its `kinds` left to the caller), or NULL when
 * out of memory. */
static open_t *push_open(open_t **stack, size_t *depth, size_t *cap) {
    if (*depth + 1 > *cap) {
        size_t c2 = *cap ? *cap * 2 : 256;
        open_t *q = PyMem_Realloc(*stack, c2 * sizeof(open_t));
        if (q == NULL) { PyErr_NoMemory(); return NULL; }
        *stack = q;
        *cap = c2;
    }
    open_t *e = &(*stack)[(*depth)++];
    memset(e, 0, sizeof(*e));
    return e;
}

/* "Reconstruct the active formatting elements": the entries after the last marker or the
 * last one still open are opened again, on top of the stack (they are no tags of the page:
 * nothing is left out of them; at most LINKSPIDER_MAX_ACTIVE_FORMATTING and one <a>).
 * -1 when out of memory. */
static int reconstruct(open_t **stack, size_t *depth, size_t *cap, size_t *serial,
                       afe_list_t *afe, const unsigned char *s) {
    size_t k = afe->len;
    while (k > 0 && afe->items[k - 1].kind == AFE_ELEMENT &&
           !is_open(*stack, *depth, afe->items[k - 1].serial))
        k--;
    for (; k < afe->len; k++) {
        afe_t *entry = &afe->items[k];
        open_t *e = push_open(stack, depth, cap);
        if (e == NULL) return -1;
        e->hash = entry->hash;
        e->cls = tag_class(entry->hash, s + entry->name_at, entry->name_len, &e->kind);
        e->name_at = entry->name_at;
        e->name_len = entry->name_len;
        e->serial = entry->serial = (*serial += SERIAL_GAP);
        e->kinds = (*depth > 1 ? e[-1].kinds : 0) | ((uint64_t)1 << e->kind);
    }
    return 0;
}

/* The row group (<tbody>), then the row (<tr>), the tree builder adds for a cell or a row
 * in a table without them: the last `count` (1: the row; 2: both) pushed.  -1 when out of
 * memory. */
static int push_implied(open_t **stack, size_t *depth, size_t *cap, size_t *serial,
                        int count) {
    for (int k = 2 - count; k < 2; k++) {
        const char *name = k == 0 ? "tbody" : "tr";
        size_t len = strlen(name);
        open_t *e = push_open(stack, depth, cap);
        if (e == NULL) return -1;
        e->hash = name_hash((const unsigned char *)name, len);
        e->cls = tag_class(e->hash, (const unsigned char *)name, len, &e->kind);
        e->implied = 1;
        e->name_len = len;
        e->serial = (*serial += SERIAL_GAP);
        e->kinds = (*depth > 1 ? e[-1].kinds : 0) | ((uint64_t)1 << e->kind);
    }
    return 0;
}

/* The nearest start tag left out, named s[name:name+len], that is above the open element of
 * serial `above` (0: any), among the last LOOK: its place, or NONE. */
static size_t find_left_out(const left_out_t *l, size_t count, const unsigned char *s,
                            uint32_t hash, const unsigned char *name, size_t len, size_t above) {
    size_t limit = count > LOOK ? count - LOOK : 0;
    for (size_t k = count; k > limit && l[k - 1].below >= above; k--)
        if (l[k - 1].hash == hash && l[k - 1].name_len == len &&
            same_ci(s + l[k - 1].name_at, name, len))
            return k - 1;
    return NONE;
}

/* Is a start tag left out for the nesting bound open above the open element of serial
 * `top` (among the last eight left out above it)? */
static int inside_deep(const left_out_t *l, size_t count, size_t top) {
    for (size_t k = count, seen = 0; k > 0 && seen < 8 && l[k - 1].below >= top; k--, seen++)
        if (l[k - 1].deep) return 1;
    return 0;
}

/* The elements from place `at` up close, and the start tags left out above them.  Closing
 * a cell or a caption, or an element that inserted a marker by its own end tag, clears the
 * active formatting elements back to the last marker, once. */
static void close_from(const open_t *stack, size_t *depth, size_t at, size_t *left_count,
                       const left_out_t *left, afe_list_t *afe) {
    if (at >= *depth) return;
    forget_left_out(left, left_count, stack[at].serial);
    int clear = !stack[at].foreign && (stack[at].cls & T_MARKER); /* (by its own end tag) */
    for (size_t k = at; k < *depth && !clear; k++)
        clear = !stack[k].foreign && ((stack[k].cls & T_CELL) || stack[k].kind == K_CAPTION);
    if (clear) afe_clear_to_marker(afe);
    *depth = at;
}

/* The open element an HTML end tag of kind `kind` (flags `cls`, name s[name:name+len])
 * closes, with all above it, or NONE when the tree builder ignores it.  (Formatting
 * elements' end tags, read by the adoption agency, and </form>, read by the form element
 * pointer, are in bound_markup.) */
static size_t end_target(const open_t *stack, size_t depth, const unsigned char *s, int kind,
                         unsigned cls, uint32_t hash, const unsigned char *name, size_t len) {
    switch (kind) {
    case K_DOCUMENT: case K_BR: return NONE; /* </body>, </html>: nothing closes */
    case K_P: return find_kind(stack, depth, K_P, STOP_BUTTON);
    case K_LI: return find_kind(stack, depth, K_LI, STOP_LIST);
    case K_HEADING: return find_kind(stack, depth, K_HEADING, STOP_SCOPE);
    case K_TEMPLATE: return find_kind(stack, depth, K_TEMPLATE, STOP_NONE);
    case K_TABLE: return find_kind(stack, depth, K_TABLE, STOP_TABLE);
    case K_CELL: case K_TR: case K_SECTION: case K_CAPTION: case K_COLGROUP:
        return find_open(stack, depth, K_NONE, s, hash, name, len, STOP_TABLE);
    default: break;
    }
    if (kind == K_DDDT || (cls & T_END_IN_SCOPE))
        return find_open(stack, depth, K_NONE, s, hash, name, len, STOP_SCOPE);
    return find_open(stack, depth, K_NONE, s, hash, name, len, STOP_SPECIAL);
}

/* What bound_markup() knows as it reads a page: its bounds, its estimate of the tree
 * builder's stack of open elements and list of active formatting elements, the start tags
 * it left out, the state of the tree builder it follows, and the markup it writes. */
typedef struct {
    const unsigned char *s;
    size_t n, pos;
    /* the bounds (PY_SSIZE_T_MAX: none) */
    Py_ssize_t max_depth, max_attrs, max_formatting, max_options;
    int drop_raw;
    rewrite_t w;
    int cut; /* the bounds left something out */
    open_t *stack;
    size_t depth, cap, serial;
    left_out_t *left; /* start tags left out, whose end tags go too */
    size_t n_left, left_cap;
    size_t *spans, spans_cap; /* attribute spans of the current start tag, when too many */
    /* unsure: from here on, whether a <script> or <style> start tag makes the tokenizer
     * read raw text is not known for certain (after a <select> or <frameset>, and in foreign
     * content left or entered in ways not followed here): no text is dropped */
    int unsure;
    /* frameset_ok: a <frameset> start tag would still replace the body (no text but spaces,
     * and none of the T_FRAMESET_NOT_OK tags, read yet); in_frameset: one did, and the tree
     * builder then reads no other tag but <frameset>, <frame> and <noframes> */
    int frameset_ok, in_frameset;
    int in_head; /* nothing but what the head holds read yet */
    size_t form_serial; /* the form the tree builder points at (its "form element pointer") */
    size_t html_attrs, body_attrs; /* attributes of the <html> and <body> tags read */
    afe_list_t afe;
    /* the innermost <select> (its place on the stack, its start tag's offset) and its options */
    size_t select_at, select_name, options;
    size_t cdata_end; /* the "]]>" of the CDATA section being read, whose text is text */
    /* no set of names is kept when no bound asks for it, nor before the page has read
     * `names_after` tags, or attributes */
    int count_names;
    size_t most_names, names_after, tags_read, attrs_read;
    names_t tag_names, attr_names;
} bound_t;

/* The open elements from place `place` up close (with the start tags left out above them). */
static inline void close_to(bound_t *b, size_t place) {
    close_from(b->stack, &b->depth, place, &b->n_left, b->left, &b->afe);
}

/* Leave the tag s[at:tag_end] out, so that what was around it makes no new token.  A "<"
 * right before it is text (a "<" that starts no tag), and is written "&lt;": it would
 * otherwise start a tag with what follows ("<<i>x" is text "<" and an <i>; without the
 * <i>, "<x" would be a tag).  After an "&", the tag is written "<!>", an empty comment: the
 * "&" would otherwise start a character reference with what follows ("&<i>amp;" is the
 * text "&amp;"; without the <i>, "&amp;" would be "&").  Neither is longer than what it
 * replaces (a tag is at least three bytes). */
static int skip_tag(bound_t *b, size_t at, size_t tag_end) {
    b->cut = 1;
    /* the byte written before the tag (none when it was left out too) */
    unsigned char before = at > 0 && at - 1 >= b->w.copied ? b->s[at - 1] : 0;
    if (before == '<') return rw_replace(&b->w, b->s, at - 1, tag_end, "&lt;");
    if (before == '&') return rw_replace(&b->w, b->s, at, tag_end, "<!>");
    return rw_skip(&b->w, b->s, at, tag_end);
}

/* Text s[from:at] between tags (not in a frameset): text but whitespace ends the head, a
 * <noscript> in it and a column group, and (but in a template) frameset-ok; text reopens the
 * formatting elements (text_holds says which text counts).  -1 when out of memory. */
static int read_text(bound_t *b, size_t from, size_t at) {
    const unsigned char *s = b->s;
    const open_t *node = b->depth ? &b->stack[b->depth - 1] : NULL;
    int top = node ? node->kind : K_NONE;
    int ends = top == K_COLGROUP || top == K_HEAD_NOSCRIPT;
    int html = !node || !node->foreign || node->integration;
    int reopens = html && afe_closed(&b->afe, b->stack, b->depth);
    if (!(b->frameset_ok || b->in_head || ends || reopens)) return 0;
    unsigned got = text_holds(s + from, at - from, !html);
    if ((b->frameset_ok || b->in_head || ends) && (got & TX_NONSPACE)) {
        if ((got & TX_FRAMESET) && !template_open(b->stack, b->depth)) b->frameset_ok = 0;
        b->in_head = 0;
        if (ends) close_to(b, b->depth - 1);
    }
    if (reopens &&
        text_reconstructs(b->stack, b->depth, got) &&
        reconstruct(&b->stack, &b->depth, &b->cap, &b->serial, &b->afe, s) < 0)
        return -1;
    return 0;
}

/* The end tag at s[at:], named s[name_at:name_end]: what it closes in the estimate, or it is
 * left out (the end tag of a start tag left out, or a new name past the bound).  -1 when
 * out of memory. */
static int read_end_tag(bound_t *b, size_t at, size_t name_at, size_t name_end) {
    const unsigned char *s = b->s, *name = s + name_at;
    size_t n = b->n, len = name_end - name_at;
    uint32_t hash = name_hash(name, len);
    size_t tag_end = attrs_end(s, n, name_end); /* an end tag's attributes too */
    unsigned char kind;
    unsigned cls = tag_class(hash, name, len, &kind);
    int in_foreign = b->depth > 0 && b->stack[b->depth - 1].foreign, matched = 0;
    size_t target = NONE; /* the open element the end tag closes */
    close_how_t how = CLOSE_WITH_ABOVE;
    int may_skip = kind != K_BR; /* it may be the end tag of a start tag left out */
    Py_ssize_t entry = -1; /* its active formatting element, which goes */
    size_t entry_serial = 0;
    size_t form_was = 0; /* the form pointer before a </form> (kept if it goes) */
    if (kind == K_DOCUMENT || kind == K_BR) b->in_head = 0;
    if (kind == K_BR && !template_open(b->stack, b->depth))
        b->frameset_ok = 0; /* (read as <br>) */
    int top = b->depth ? b->stack[b->depth - 1].kind : K_NONE;
    if (!b->in_frameset && ((top == K_COLGROUP && kind != K_COLGROUP) ||
                            (top == K_HEAD_NOSCRIPT && kind != K_NOSCRIPT)))
        close_to(b, b->depth - 1);
    if (b->in_frameset) { /* only a </frameset> closes (the current node) */
        matched = 1;
        if (kind == K_FRAMESET && b->depth && b->stack[b->depth - 1].kind == K_FRAMESET)
            target = b->depth - 1;
    }
    else if (in_foreign && (kind == K_P || kind == K_BR)) {
        /* "</p>" and "</br>" leave foreign content first (and are kept) */
        close_to(b, leave_foreign(b->stack, b->depth));
        may_skip = 0;
    }
    else if (in_foreign) {
        /* any other end tag closes the nearest foreign element of its name, up to
         * the first HTML element */
        size_t limit = b->depth > LOOK ? b->depth - LOOK : 0;
        for (size_t k = b->depth; k > limit && b->stack[k - 1].foreign; k--)
            if (b->stack[k - 1].hash == hash && same_name(s, &b->stack[k - 1], name, len)) {
                target = k - 1;
                matched = 1;
                break;
            }
    }
    if (matched) { /* (closed in foreign content, or in a frameset) */ }
    else if ((cls & T_FORMATTING) || kind == K_A) {
        /* the adoption agency: the last active formatting element of the name, if it
         * is open and in scope (else its entry goes, or nothing happens); without one,
         * the rule of any other end tag */
        adoption(b->stack, b->depth, &b->afe, s, hash, name, len, &target, &how, &entry);
        if (entry >= 0) entry_serial = b->afe.items[entry].serial;
    }
    else if (kind == K_FORM) {
        /* the form the tree builder points at, if open and in scope (in a template,
         * any form in scope), goes alone */
        if (template_open(b->stack, b->depth))
            target = find_kind(b->stack, b->depth, K_FORM, STOP_SCOPE);
        else {
            size_t k = b->form_serial ? place_of(b->stack, b->depth, b->form_serial) : NONE;
            form_was = b->form_serial;
            b->form_serial = 0;
            if (k != NONE && in_scope(b->stack, b->depth, k)) {
                target = k;
                how = CLOSE_ALONE;
            }
        }
    }
    else target = end_target(b->stack, b->depth, s, kind, cls, hash, name, len);
    /* the end tag of a start tag left out (above the element it would close) goes too */
    size_t gone = !may_skip ? NONE
                  : find_left_out(b->left, b->n_left, s, hash, name, len,
                                  target == NONE ? 0 : b->stack[target].serial);
    if (gone != NONE) {
        memmove(b->left + gone, b->left + gone + 1,
                (b->n_left - gone - 1) * sizeof(left_out_t));
        b->n_left--;
        if (skip_tag(b, at, tag_end) < 0) return -1;
        target = NONE;
        entry = -1;
        if (form_was) b->form_serial = form_was; /* (the tree builder reads no </form>) */
    }
    else if (target != NONE && how == CLOSE_ADOPTION) {
        if (adopt(b->stack, &b->depth, target, &b->n_left, b->left, &b->afe))
            entry = -1; /* (its clone is active in its place) */
    }
    else if (target != NONE && how == CLOSE_ALONE) { /* implied end tags first */
        close_to(b, close_implied(b->stack, b->depth, -1));
        if (target < b->depth) {
            memmove(b->stack + target, b->stack + target + 1,
                    (b->depth - target - 1) * sizeof(open_t));
            b->depth--;
        }
    }
    else if (target != NONE) close_to(b, target);
    if (entry >= 0) afe_remove_serial(&b->afe, entry_serial);
    /* "</br>" is read as <br>, which reopens the formatting elements */
    if (kind == K_BR && !b->in_frameset && afe_closed(&b->afe, b->stack, b->depth) &&
        reconstruct(&b->stack, &b->depth, &b->cap, &b->serial, &b->afe, s) < 0)
        return -1;
    /* an end tag of a new name past the bound, which closes nothing open */
    if (b->count_names && ++b->tags_read > b->names_after && target == NONE && gone == NONE) {
        int known = names_know(&b->tag_names, s, hash, name_at, len, b->most_names);
        if (known < 0) return -1;
        if (!known) {
            if (skip_tag(b, at, tag_end) < 0) return -1;
        }
    }
    if (in_foreign && !matched) b->unsure = 1;
    b->pos = tag_end;
    return 0;
}

/* The attributes of the start tag whose name, of kind `kind`, ends at s[name_end]: those past
 * the bound (the ones the extraction reads kept) and those of new names past the bound on
 * names, as spans in b->spans (*n_spans of them, two offsets each); those of every <html>,
 * and every <body>, counted together (the tree builder adds each new one to the first's
 * element, checking it against those it has).  1 and *tag_end after the tag's ">"; 0 when
 * the document ends inside the tag; -1 when out of memory. */
static int read_attributes(bound_t *b, const unsigned char *name, size_t len, size_t name_end,
                           unsigned char kind, size_t *tag_end, size_t *n_spans,
                           int *self_closing) {
    const unsigned char *s = b->s;
    size_t n = b->n;
    size_t *merged = kind != K_DOCUMENT ? NULL
                     : len == 4 && name_is_ci(name, "html") ? &b->html_attrs
                     : len == 4 && name_is_ci(name, "body") ? &b->body_attrs
                                                           : NULL;
    size_t p = name_end, n_attrs = merged ? *merged : 0;
    int complete = 0;
    *n_spans = 0;
    *self_closing = 0;
    while (p < n) {
        while (p < n && (CC[s[p]] & (C_WS | C_SLASH))) {
            *self_closing = s[p] == '/';
            p++;
        }
        if (p >= n) break;
        if (s[p] == '>') { complete = 1; p++; break; }
        *self_closing = 0;
        size_t a_start = p;
        p = attr_end(s, n, p);
        n_attrs++;
        int new_name = 0; /* a name past the page's bound on distinct names */
        size_t a_len = (size_t)-1; /* its name's length, read when needed */
        if (b->count_names && ++b->attrs_read > b->names_after) {
            a_len = attr_name_end(s, n, a_start) - a_start;
            int known = names_know(&b->attr_names, s, name_hash(s + a_start, a_len), a_start,
                                   a_len, b->most_names);
            if (known < 0) return -1;
            new_name = !known;
        }
        if ((n_attrs > (size_t)b->max_attrs || new_name) &&
            !name_is(s + a_start,
                     a_len != (size_t)-1 ? a_len : attr_name_end(s, n, a_start) - a_start,
                     KEEP_ATTRS)) {
            if (*n_spans + 2 > b->spans_cap) {
                size_t c2 = b->spans_cap ? b->spans_cap * 2 : 256;
                size_t *q = PyMem_Realloc(b->spans, c2 * sizeof(size_t));
                if (q == NULL) { PyErr_NoMemory(); return -1; }
                b->spans = q;
                b->spans_cap = c2;
            }
            b->spans[(*n_spans)++] = a_start;
            b->spans[(*n_spans)++] = p;
        }
    }
    if (!complete) return 0; /* the document ends inside the tag */
    if (merged) *merged = n_attrs;
    *tag_end = p;
    return 1;
}

/* A start tag being read: what it is, and what the tree builder does with it. */
typedef struct {
    size_t name_at, name_end, tag_end, len, n_spans;
    uint32_t hash;
    unsigned char kind;
    unsigned cls;      /* its T_* flags */
    unsigned open_cls; /* the flags it is pushed with (a foreign element's scope flags) */
    int self_closing;
    int hidden;      /* an <input type=hidden> */
    int html;        /* read by HTML rules (in foreign content: at an integration point, or
                      * as one of the tags that leave it) */
    int exits;       /* it leaves foreign content */
    int math;        /* in MathML */
    int integration; /* the integration point it is (open_t.integration) */
    /* what it closes: the stack down to place d, after the <a> or <nobr> at adopt_at
     * (the adoption agency) or the <a> at `remove` (alone) */
    size_t d, remove, adopt_at;
    /* 1: the tree builder inserts no element; 2: inserted and closed at once; 3: it does
     * nothing with the tag (in a template whose content is a column group) */
    int ignored;
    int implied; /* the row group and row it adds first (a cell or row in a table) */
    int is_void; /* nothing is pushed */
    Py_ssize_t nobr_entry; /* the active <nobr> the adoption agency closes, or -1 */
    size_t nobr_serial;
} start_t;

/* How the start tag t is read: by HTML rules or as foreign content, in MathML or not, an
 * integration point or not; and whether what follows may be read otherwise than the
 * estimate reads it (b->unsure). */
static void start_tag_reading(bound_t *b, start_t *t) {
    const unsigned char *s = b->s, *name = s + t->name_at;
    size_t len = t->len;
    int foreign = !b->in_frameset && b->depth > 0 && b->stack[b->depth - 1].foreign;
    t->html = !foreign || b->stack[b->depth - 1].integration == 1 ||
              (b->stack[b->depth - 1].integration == 2 &&
               !((len == 6 && name_is_ci(name, "mglyph")) ||
                 (len == 10 && name_is_ci(name, "malignmark"))));
    t->exits = 0;
    if (!t->html && !b->in_frameset) {
        t->exits = name_is(name, len, FOREIGN_EXITS) &&
                   !(len == 4 && name_is_ci(name, "font") &&
                     !(attr_value(s, t->name_end, t->tag_end, "color", NULL, NULL) ||
                       attr_value(s, t->name_end, t->tag_end, "face", NULL, NULL) ||
                       attr_value(s, t->name_end, t->tag_end, "size", NULL, NULL)));
        t->html = t->exits;
    }
    /* in MathML: a <math> opened in HTML, and what it holds (an <svg> inside is MathML's) */
    t->math = t->html ? (len == 4 && name_is_ci(name, "math")) : b->stack[b->depth - 1].math;
    if (b->unsure) { /* nothing more to tell */ }
    else if (foreign) {
        if (b->stack[b->depth - 1].integration || t->exits) b->unsure = 1;
    }
    /* after a <select> or a <frameset>, a <script> or <style> start tag may be ignored,
     * its text then being markup */
    else if (t->kind == K_SELECT || t->kind == K_FRAMESET) b->unsure = 1;
    /* a foreign element, which no HTML rule closes anything for (<svg><a><a> nests, as
     * the tree builder does); its integration points and scope boundaries */
    t->integration = 0;
    t->open_cls = t->cls;
    if (!t->html) {
        int bounds = name_is(name, len, t->math ? MATH_SCOPE : SVG_SCOPE);
        t->open_cls = bounds ? T_SPECIAL | T_BOUNDARY : 0;
        /* 2: a MathML text integration point (whose <mglyph> and <malignmark> are
         * MathML's), 1: an HTML integration point (annotation-xml by its encoding) */
        const unsigned char *v;
        size_t vlen;
        if (!bounds) t->integration = 0;
        else if (!(t->math && len == 14 && name_is_ci(name, "annotation-xml")))
            t->integration = t->math ? 2 : 1;
        else
            t->integration =
                attr_value(s, t->name_end, t->tag_end, "encoding", &v, &vlen) &&
                ((vlen == 9 && name_is_ci(v, "text/html")) ||
                 (vlen == 21 && name_is_ci(v, "application/xhtml+xml")));
    }
}

/* What the start tag t closes before it is inserted, and whether it is inserted at all (in
 * the estimate, this is applied only if the tag is kept: the bounded markup has no tag left
 * out, and the estimate is of the bounded markup's tree). */
static void start_tag_closes(bound_t *b, start_t *t) {
    const unsigned char *s = b->s, *name = s + t->name_at;
    unsigned char kind = t->kind;
    size_t d = t->exits ? leave_foreign(b->stack, b->depth) : b->depth;
    t->remove = t->adopt_at = NONE;
    t->nobr_entry = -1;
    t->nobr_serial = 0;
    const open_t *node = b->depth ? &b->stack[b->depth - 1] : NULL;
    if (t->html && !b->in_frameset && node && node->kind == K_TEMPLATE &&
        node->tmode == TEMPLATE_COLUMNS && kind != K_COL && kind != K_TEMPLATE) {
        t->d = b->depth;
        t->ignored = 3;
        t->implied = 0;
        t->is_void = 1;
        return;
    }
    int top = d ? b->stack[d - 1].kind : K_NONE;
    if (!b->in_frameset &&
        ((top == K_COLGROUP && kind != K_COL && kind != K_TEMPLATE) ||
         (top == K_HEAD_NOSCRIPT && !(t->cls & T_IN_HEAD_NOSCRIPT))))
        d--; /* what a column group or a <noscript> in the head holds not, closes it */
    t->ignored = t->implied = 0;
    if (b->in_frameset) { /* nothing closes (what is not a frameset is not inserted) */ }
    else if (kind == K_FRAMESET && t->html)
        t->ignored = !b->frameset_ok || head_template_open(b->stack, d);
    else if (t->html && kind == K_FORM && b->form_serial && !template_open(b->stack, d))
        t->ignored = 1; /* a form in a form */
    else if (t->html && t->hidden && in_table_mode(b->stack, d)) {
        /* a hidden input in a table closes nothing */
    }
    else if (t->html) t->ignored = start_closes(b->stack, &d, kind, t->cls, &t->implied);
    if (t->html && !b->in_frameset && kind == K_NOBR &&
        find_open(b->stack, d, K_NONE, s, t->hash, name, t->len, STOP_SCOPE) != NONE) {
        /* a <nobr> in scope: the adoption agency first */
        size_t target;
        close_how_t how;
        adoption(b->stack, d, &b->afe, s, t->hash, name, t->len, &target, &how, &t->nobr_entry);
        if (target != NONE && how == CLOSE_ADOPTION) t->adopt_at = target;
        else if (target != NONE) d = target;
        if (t->nobr_entry >= 0) t->nobr_serial = b->afe.items[t->nobr_entry].serial;
    }
    if (t->html && !b->in_frameset && kind == K_A) {
        /* an <a> active since the last marker goes (the adoption agency keeps what it
         * holds open) */
        Py_ssize_t entry = afe_find(&b->afe, s, t->hash, name, t->len);
        size_t k = entry >= 0 ? place_of(b->stack, d, b->afe.items[entry].serial) : NONE;
        if (k != NONE && !in_scope(b->stack, d, k)) t->remove = k; /* (then removed alone) */
        else if (k != NONE && special_above(b->stack, d, k)) t->adopt_at = k;
        else if (k != NONE) d = k;
    }
    if ((t->remove != NONE && t->remove < d) || t->adopt_at != NONE)
        d--; /* (about where it goes) */
    if (t->html && !t->ignored && kind == K_FORM && !b->in_frameset &&
        in_table_mode(b->stack, d))
        t->ignored = 2; /* in a table: inserted and closed at once */
    t->d = d;
    /* a foreign element is void only when self-closing (<svg><base> nests) */
    t->is_void = !t->html ? t->self_closing
                          : t->ignored || (t->cls & T_VOID) ||
                                (t->self_closing && (t->cls & T_FOREIGN_ROOT));
}

/* Is the start tag t left out: too deep (and no element the extraction reads), or past the
 * bounds on formatting elements, options of a select or distinct names?  *dropped (with its
 * end tag, noted in b->left); *new_name for a tag of a new name past the bound (a void one
 * is left out too).  -1 when out of memory. */
static int start_tag_left_out(bound_t *b, const start_t *t, int *dropped, int *new_name) {
    const unsigned char *s = b->s, *name = s + t->name_at;
    unsigned char kind = t->kind;
    int past_bound = 0; /* left out, with its end tag, whatever its depth */
    *dropped = *new_name = 0;
    if (b->count_names && ++b->tags_read > b->names_after) {
        int known = names_know(&b->tag_names, s, t->hash, t->name_at, t->len, b->most_names);
        if (known < 0) return -1;
        if (!known && !(t->cls & (T_KEEP | T_RAW))) past_bound = *new_name = 1;
    }
    if (kind == K_OPTION && t->html && b->select_at < b->depth &&
        b->stack[b->select_at].name_at == b->select_name &&
        ++b->options > (size_t)b->max_options)
        past_bound = 1; /* (left out as a formatting element past the bound is) */
    if (!past_bound && t->html && (t->cls & T_FORMATTING)) {
        /* the entries after the last marker once it is pushed, the earliest alike gone */
        size_t entries = b->afe.len - afe_section(&b->afe) -
                         (afe_noah(&b->afe, s, t->hash, name, t->len, t->name_end,
                                   t->tag_end - t->name_end) >= 0);
        past_bound = entries >= (size_t)(b->max_formatting < 0 ? 0 : b->max_formatting);
    }
    if (t->is_void) return 0;
    unsigned keep = t->cls & (T_KEEP | T_RAW);
    /* in foreign content, only an SVG <a> is read (a link); a MathML <a>, or an SVG
     * <title> or <base>, is no link, title or base: left out when deep */
    if (!t->html && !(kind == K_A && !t->math)) keep = 0;
    if (b->in_frameset) /* nothing but a frameset is read, and a <noframes>'s raw text */
        keep = t->len == 8 && name_is_ci(name, "noframes") ? T_RAW : 0;
    /* deeper than the bound: in the bounded markup, or inside an element left out
     * for the bound and still open (what it holds is left out too, as deep) */
    size_t below = b->depth ? b->stack[b->depth - 1].serial : 0;
    int deep = t->d + (size_t)t->implied >= (size_t)b->max_depth ||
               inside_deep(b->left, b->n_left, below);
    *dropped = (deep && !keep) || past_bound;
    if (!*dropped) return 0;
    if (b->n_left == b->left_cap) {
        size_t c2 = b->left_cap ? b->left_cap * 2 : 256;
        left_out_t *q = PyMem_Realloc(b->left, c2 * sizeof(left_out_t));
        if (q == NULL) { PyErr_NoMemory(); return -1; }
        b->left = q;
        b->left_cap = c2;
    }
    b->left[b->n_left++] = (left_out_t){t->hash, t->name_at, t->len, below, deep && !past_bound};
    return 0;
}

/* The start tag t is kept: what it closes closes, the tree builder's flags and the active
 * formatting elements follow it, and (unless void) it is pushed, after the row group and
 * row it implies.  -1 when out of memory. */
static int keep_start_tag(bound_t *b, const start_t *t) {
    const unsigned char *s = b->s, *name = s + t->name_at;
    unsigned char kind = t->kind;
    unsigned cls = t->cls;
    int html = t->html;
    /* the first start tag read in a template (but those read as in the head) decides how
     * its content is read */
    open_t *node = b->depth ? &b->stack[b->depth - 1] : NULL;
    if (html && !b->in_frameset && node && node->kind == K_TEMPLATE && !node->tmode &&
        !((cls & T_IN_HEAD) && kind != K_DOCUMENT))
        node->tmode = kind == K_COL ? TEMPLATE_COLUMNS : TEMPLATE_OTHER;
    if (t->remove != NONE) {
        memmove(b->stack + t->remove, b->stack + t->remove + 1,
                (b->depth - t->remove - 1) * sizeof(open_t));
        b->depth--;
    }
    int clone_stays = 0;
    if (t->adopt_at != NONE)
        clone_stays = adopt(b->stack, &b->depth, t->adopt_at, &b->n_left, b->left, &b->afe);
    else close_to(b, t->d);
    /* the adoption agency's <a> or <nobr> is no longer active (before reopening), unless
     * its clone stays in its place */
    if (html && !b->in_frameset && kind == K_A && !clone_stays)
        afe_remove_last(&b->afe, s, t->hash, name, t->len);
    if (t->nobr_entry >= 0 && !clone_stays) afe_remove_serial(&b->afe, t->nobr_serial);
    if (html && b->frameset_ok &&
        ((cls & T_FRAMESET_NOT_OK) ||
         (kind == K_SELECT_CLOSER && !t->hidden)) &&
        !template_open(b->stack, b->depth))
        b->frameset_ok = 0;
    if (html && !(cls & T_IN_HEAD)) b->in_head = 0;
    if (html && !t->ignored && kind == K_FRAMESET) b->in_frameset = 1;
    if (html && kind == K_FORM && t->ignored != 1 && !b->in_frameset &&
        !template_open(b->stack, b->depth))
        b->form_serial = t->ignored == 2 ? (b->serial += SERIAL_GAP) : b->serial + SERIAL_GAP;
    if (html && !t->ignored && !b->in_frameset &&
        ((cls & T_RECONSTRUCT) || (cls == 0 && kind == K_NONE) || kind == K_RUBY) &&
        afe_closed(&b->afe, b->stack, b->depth) &&
        reconstruct(&b->stack, &b->depth, &b->cap, &b->serial, &b->afe, s) < 0)
        return -1;
    if (t->is_void) return 0;
    if (t->implied &&
        push_implied(&b->stack, &b->depth, &b->cap, &b->serial, t->implied) < 0)
        return -1;
    if (html && (cls & T_FORMATTING)) {
        /* after reopening: an entry alike that was closed is opened again, then goes */
        Py_ssize_t alike = afe_noah(&b->afe, s, t->hash, name, t->len, t->name_end,
                                    t->tag_end - t->name_end);
        if (alike >= 0) afe_remove_at(&b->afe, (size_t)alike);
    }
    if (html && ((cls & (T_FORMATTING | T_MARKER | T_CELL)) || kind == K_A)) {
        afe_t entry = {(cls & T_FORMATTING) || kind == K_A ? AFE_ELEMENT : AFE_MARKER,
                       t->hash, t->name_at, t->len, t->name_end, t->tag_end - t->name_end,
                       b->serial + SERIAL_GAP /* (the element's, pushed below) */};
        if (afe_push(&b->afe, entry) < 0) return -1;
    }
    open_t *e = push_open(&b->stack, &b->depth, &b->cap);
    if (e == NULL) return -1;
    e->hash = t->hash;
    e->cls = t->open_cls;
    e->kind = !html ? K_NONE : kind == K_NOSCRIPT && b->in_head ? K_HEAD_NOSCRIPT : kind;
    e->foreign = (unsigned char)(!b->in_frameset && (!html || (cls & T_FOREIGN_ROOT)));
    e->integration = (unsigned char)t->integration;
    e->math = (unsigned char)t->math;
    e->in_head = (unsigned char)(html && kind == K_TEMPLATE && b->in_head);
    e->name_at = t->name_at;
    e->name_len = t->len;
    e->serial = (b->serial += SERIAL_GAP);
    e->kinds = (b->depth > 1 ? e[-1].kinds : 0) | ((uint64_t)1 << e->kind);
    if (kind == K_SELECT && html) {
        b->select_at = b->depth - 1;
        b->select_name = e->name_at;
        b->options = 0;
    }
    return 0;
}

/* The start tag at s[at:], named s[name_at:name_end]: read, left out or kept (see above),
 * cut of attributes past the bound; then a raw text element's text.  0 to go on; 1 when
 * the rest of the document is no markup (the tag is not ended, or <plaintext>); -1 when
 * out of memory. */
static int read_start_tag(bound_t *b, size_t at, size_t name_at, size_t name_end) {
    const unsigned char *s = b->s, *name = s + name_at;
    size_t n = b->n;
    start_t t; /* (each field set below, or by the step that finds it) */
    t.name_at = name_at;
    t.name_end = name_end;
    t.len = name_end - name_at;
    t.hash = name_hash(name, t.len);
    t.cls = tag_class(t.hash, name, t.len, &t.kind);
    int read = read_attributes(b, name, t.len, name_end, t.kind, &t.tag_end, &t.n_spans,
                               &t.self_closing);
    if (read <= 0) return read < 0 ? -1 : 1;
    t.hidden = t.kind == K_SELECT_CLOSER && hidden_input(s, name_end, t.tag_end);
    start_tag_reading(b, &t);
    start_tag_closes(b, &t);
    int dropped, new_name;
    if (start_tag_left_out(b, &t, &dropped, &new_name) < 0) return -1;
    if (!dropped && !(t.is_void && new_name) && t.ignored != 3 && keep_start_tag(b, &t) < 0)
        return -1;
    if (dropped || (t.is_void && new_name)) {
        if (skip_tag(b, at, t.tag_end) < 0) return -1;
    }
    else if (t.n_spans) { /* the tag without its extra attributes */
        b->cut = 1;
        for (size_t k = 0; k < t.n_spans; k += 2) {
            /* one after a "/" leaves a space, or the "/" would end the tag as self-closing
             * (which a foreign element heeds): "<g/a=1>" is no "<g/>" */
            size_t from = b->spans[k], to = b->spans[k + 1];
            int rc = s[from - 1] == '/' ? rw_replace(&b->w, s, from, to, " ")
                                        : rw_skip(&b->w, s, from, to);
            if (rc < 0) return -1;
        }
    }
    b->pos = t.tag_end;
    size_t len = t.len;
    /* (the text of a raw text element left out is markup to the tree builder) */
    if (t.html && !dropped && t.ignored != 3 && (t.cls & T_RAW) &&
        (!b->in_frameset || (len == 8 && name_is_ci(name, "noframes")))) {
        size_t content = b->pos;
        b->pos = raw_text_end(s, n, b->pos, name, len);
        /* the text of a script or a style, which nothing reads, left out; a script
         * holding "<!--" is kept, and ends the dropping: the tokenizer's escaped
         * states may end it at a later "</script" */
        int script = len == 6 && name_is_ci(name, "script");
        if (b->drop_raw && script && find_bytes(s, b->pos, content, "<!--") < b->pos)
            b->unsure = 1;
        if (b->drop_raw && !b->unsure && b->pos > content &&
            (script || (len == 5 && name_is_ci(name, "style"))) &&
            rw_skip(&b->w, s, content, b->pos) < 0)
            return -1;
        if (!t.is_void && b->depth) b->depth--; /* its end tag closes it */
        if (b->pos < n) {
            const unsigned char *gt = memchr(s + b->pos, '>', n - b->pos);
            b->pos = gt ? (size_t)(gt - s) + 1 : n;
        }
    }
    else if (t.html && (t.cls & T_PLAINTEXT) && !b->in_frameset)
        return 1; /* the rest is text */
    return 0;
}

static PyObject *bound_markup(PyObject *self, PyObject *args) {
    (void)self;
    Py_buffer view;
    Py_ssize_t max_depth, max_attrs;
    Py_ssize_t max_formatting = PY_SSIZE_T_MAX, max_options = PY_SSIZE_T_MAX;
    Py_ssize_t max_names = PY_SSIZE_T_MAX;
    int drop_raw;
    if (!PyArg_ParseTuple(args, "y*nnp|nnn", &view, &max_depth, &max_attrs, &drop_raw,
                          &max_formatting, &max_options, &max_names))
        return NULL;
    if (!classes_ready) init_classes();
    bound_t b;
    memset(&b, 0, sizeof(b));
    const unsigned char *s = b.s = view.buf;
    size_t n = b.n = (size_t)view.len;
    b.max_depth = max_depth;
    b.max_attrs = max_attrs;
    b.max_formatting = max_formatting;
    b.max_options = max_options;
    b.drop_raw = drop_raw;
    b.w = (rewrite_t){NULL, 0, 0, n, 0};
    b.frameset_ok = b.in_head = 1;
    b.select_at = (size_t)-1;
    b.most_names = max_names < 0 ? 0 : (size_t)max_names;
    b.count_names = max_names != PY_SSIZE_T_MAX;
    b.names_after = !b.count_names                ? 0
                    : b.most_names > SIZE_MAX / 5 ? SIZE_MAX
                                                  : 5 * b.most_names;
    int error = 0;
    while (b.pos < n) {
        const unsigned char *lt = b.cdata_end ? s + b.cdata_end : memchr(s + b.pos, '<', n - b.pos);
        if (lt == NULL) break;
        size_t at = (size_t)(lt - s);
        if (at > b.pos && !b.in_frameset && read_text(&b, b.pos, at) < 0) {
            error = 1;
            break;
        }
        if (b.cdata_end) {
            b.pos = b.cdata_end + 3;
            b.cdata_end = 0;
            continue;
        }
        if (at + 1 >= n) break;
        unsigned char c1 = s[at + 1];
        if (c1 == '!') {
            if (at + 3 < n && s[at + 2] == '-' && s[at + 3] == '-') {
                size_t end = comment_end(s, n, at + 4);
                if (end >= n) break;
                b.pos = end;
            }
            else if (b.depth > 0 && b.stack[b.depth - 1].foreign && at + 9 <= n &&
                     memcmp(s + at + 2, "[CDATA[", 7) == 0) {
                /* a CDATA section (in foreign content only): text up to "]]>", read as the
                 * text between tags is */
                size_t end = find_bytes(s, n, at + 9, "]]>");
                if (end >= n) break;
                b.pos = at + 9;
                b.cdata_end = end;
            }
            else {
                const unsigned char *gt = memchr(s + at, '>', n - at);
                if (gt == NULL) break;
                b.pos = (size_t)(gt - s) + 1;
            }
            continue;
        }
        if (c1 == '?' ) {
            const unsigned char *gt = memchr(s + at, '>', n - at);
            if (gt == NULL) break;
            b.pos = (size_t)(gt - s) + 1;
            continue;
        }
        int closing = c1 == '/';
        size_t name_at = at + 1 + (closing ? 1 : 0);
        if (closing && name_at < n && !IS_ALPHA(s[name_at])) {
            /* "</>" is dropped; "</" and anything else opens a bogus comment up to ">" */
            const unsigned char *gt = memchr(s + name_at, '>', n - name_at);
            if (gt == NULL) break;
            b.pos = (size_t)(gt - s) + 1;
            continue;
        }
        if (name_at >= n || !IS_ALPHA(s[name_at])) { /* "<" (or "</") is text */
            if (!b.in_frameset && read_text(&b, at, at + 1) < 0) {
                error = 1;
                break;
            }
            b.pos = at + 1;
            continue;
        }
        size_t name_end = name_at;
        while (name_end < n && !(CC[s[name_end]] & (C_WS | C_SLASH | C_GT))) name_end++;
        int read = closing ? read_end_tag(&b, at, name_at, name_end)
                           : read_start_tag(&b, at, name_at, name_end);
        if (read < 0) error = 1;
        if (read != 0) break;
    }
    PyObject *out = NULL;
    if (!error) {
        if (!b.w.active) out = Py_NewRef(Py_None);
        else if (rw_skip(&b.w, s, n, n) == 0 && _PyBytes_Resize(&b.w.out, (Py_ssize_t)b.w.len) == 0)
            out = PyTuple_Pack(2, b.w.out, b.cut ? Py_True : Py_False);
    }
    Py_XDECREF(b.w.out);
    PyMem_Free(b.stack);
    PyMem_Free(b.left);
    PyMem_Free(b.spans);
    PyMem_Free(b.afe.items);
    PyMem_Free(b.tag_names.slots);
    PyMem_Free(b.attr_names.slots);
    PyBuffer_Release(&view);
    return out;
}

/* The visible text of some elements' subtrees, for the page's topic signature.
 *
 * visible_text(node, indices, cap): `indices` are element indices as walk() numbers
 * them from `node` (document order), ascending, none inside another; the text nodes
 * of those subtrees outside <script>, <style>, <noscript> and <template>, in document
 * order, with a space at the start of every block element (F_DIV_TO_P, F_NOT_PHRASING:
 * "<p>a</p><p>b</p>" gives two words) and after each subtree; at most `cap`
 * bytes of UTF-8 (cut at a character boundary), decoded. */
static PyObject *visible_text(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *arg, *seq;
    Py_ssize_t cap;
    if (!PyArg_ParseTuple(args, "OOn", &arg, &seq, &cap)) return NULL;
    if (!configured) {
        PyErr_SetString(PyExc_RuntimeError, "linkspider._dom: configure() was not called");
        return NULL;
    }
    if (cap < 0) {
        PyErr_SetString(PyExc_ValueError, "cap must be >= 0");
        return NULL;
    }
    lxb_node *root = node_of(arg);
    if (root == NULL) return NULL;
    PyObject *fast = PySequence_Fast(seq, "indices must be a sequence");
    if (fast == NULL) return NULL;
    Py_ssize_t n_wanted = PySequence_Fast_GET_SIZE(fast);
    Py_ssize_t *wanted = PyMem_Malloc((size_t)(n_wanted ? n_wanted : 1) * sizeof(Py_ssize_t));
    if (wanted == NULL) { Py_DECREF(fast); return PyErr_NoMemory(); }
    for (Py_ssize_t i = 0; i < n_wanted; i++) {
        wanted[i] = PyLong_AsSsize_t(PySequence_Fast_GET_ITEM(fast, i));
        if (wanted[i] == -1 && PyErr_Occurred()) {
            PyMem_Free(wanted);
            Py_DECREF(fast);
            return NULL;
        }
    }
    Py_DECREF(fast);
    buf_t b = {NULL, 0, 0};
    Py_ssize_t count = 0, w = 0;
    lxb_node *selected = NULL; /* the wanted element whose subtree we are in */
    Py_ssize_t hidden = 0;     /* open hidden elements inside it */
    size_t limit = (size_t)cap;
    int failed = 0;
    lxb_node *node = n_type(root) == NODE_ELEMENT ? root : NULL;
    while (node != NULL && b.len < limit && (selected != NULL || w < n_wanted)) {
        lxb_node *down = NULL;
        int type = n_type(node);
        if (type == NODE_ELEMENT) {
            unsigned f = flags_of(n_tag(node));
            if (selected == NULL && w < n_wanted && count == wanted[w]) {
                selected = node;
                w++;
            }
            count++;
            int hides = selected != NULL && ((f & F_HIDDEN) || attr_hidden(node));
            if (selected != NULL) {
                if (hides) hidden++;
                if ((f & (F_NOT_PHRASING | F_DIV_TO_P)) && b.len && buf_add(&b, (const unsigned char *)" ", 1) < 0) { failed = 1; break; }
            }
            down = n_first(node);
            if (down == NULL && selected != NULL) {
                if (hides) hidden--;
                if (node == selected) {
                    selected = NULL;
                    if (b.len && buf_add(&b, (const unsigned char *)" ", 1) < 0) { failed = 1; break; }
                }
            }
        }
        else if (type == NODE_TEXT && selected != NULL && hidden == 0) {
            lx_str *t = text_of(node);
            if (t->data != NULL && t->length) {
                size_t take = t->length < limit - b.len ? t->length : limit - b.len;
                bool cut = take < t->length;
                while (cut && take > 0 && (t->data[take] & 0xC0) == 0x80) take--; /* a whole character */
                if (buf_add(&b, t->data, take) < 0) { failed = 1; break; }
                if (cut) break;
            }
        }
        if (down != NULL) { node = down; continue; }
        lxb_node *next = NULL;
        while (node != root && (next = n_next(node)) == NULL) {
            node = n_parent(node);
            if (node == NULL) break;
            if (selected != NULL) {
                if ((flags_of(n_tag(node)) & F_HIDDEN) || attr_hidden(node)) hidden--;
                if (node == selected) {
                    selected = NULL;
                    if (b.len && buf_add(&b, (const unsigned char *)" ", 1) < 0) { failed = 1; break; }
                }
            }
        }
        if (failed || node == NULL || node == root) break;
        node = next;
    }
    PyMem_Free(wanted);
    if (failed) { PyMem_Free(b.data); return NULL; }
    size_t len = b.len < limit ? b.len : limit;
    while (len > 0 && len < b.len && ((unsigned char)b.data[len] & 0xC0) == 0x80) len--;
    PyObject *out = PyUnicode_DecodeUTF8(b.data ? b.data : "", (Py_ssize_t)len, "replace");
    PyMem_Free(b.data);
    return out;
}

/* term_counts(folded, stop_words) -> {term: count}, or None: the terms of an already
 * lowercased text as linkspider.topics counts them (python_term_counts there is the same
 * computation in Python, and the reference the tests hold this to).
 *
 * A term is a maximal run of word characters -- what the re module's \w matches in a str:
 * Py_UNICODE_ISALNUM or '_' -- at least two code points long, not all digits
 * (Py_UNICODE_ISDIGIT, as str.isdigit) and not in stop_words.  None when the text holds a
 * character of a script written without spaces (Thai, kana, CJK: the ranges of
 * topics._UNSPACED), whose terms are character pairs: the caller counts those itself. */
static inline int unspaced(Py_UCS4 c) {
    return (c >= 0x0E00 && c <= 0x0E7F) || (c >= 0x3040 && c <= 0x30FF) ||
           (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x4E00 && c <= 0x9FFF) ||
           (c >= 0xF900 && c <= 0xFAFF);
}

static inline int word_char(Py_UCS4 c) {
    if (c < 128)
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
               (c >= 'A' && c <= 'Z');
    return Py_UNICODE_ISALNUM(c);
}

/* The distinct terms of one text, in order of first occurrence, and an open-addressing index
 * over them: a term is a span of the text, told apart from the others by its code points (two
 * spans of one str have the same kind, so equal spans are equal bytes). */
typedef struct { Py_ssize_t start, len, count; Py_uhash_t hash; } span_t;
typedef struct {
    span_t *spans;
    Py_ssize_t n, cap;
    Py_ssize_t *slots; /* index into spans + 1; 0: empty */
    size_t mask;
} spans_t;

static int spans_grow_index(spans_t *t) {
    size_t size = t->mask ? (t->mask + 1) * 2 : 256;
    Py_ssize_t *slots = PyMem_Calloc(size, sizeof(Py_ssize_t));
    if (slots == NULL) return -1;
    for (Py_ssize_t i = 0; i < t->n; i++) {
        size_t j = t->spans[i].hash & (size - 1);
        while (slots[j]) j = (j + 1) & (size - 1);
        slots[j] = i + 1;
    }
    PyMem_Free(t->slots);
    t->slots = slots;
    t->mask = size - 1;
    return 0;
}

/* Count one occurrence of text[start:start+len] (hash: of its code points). */
static int spans_count(spans_t *t, const char *data, int kind, Py_ssize_t start, Py_ssize_t len,
                       Py_uhash_t hash) {
    if ((size_t)(t->n + 1) * 2 > t->mask + 1 && spans_grow_index(t) < 0) return -1;
    size_t j = hash & t->mask;
    for (Py_ssize_t k; (k = t->slots[j]) != 0; j = (j + 1) & t->mask) {
        span_t *e = &t->spans[k - 1];
        if (e->hash == hash && e->len == len &&
            memcmp(data + e->start * kind, data + start * kind, (size_t)(len * kind)) == 0) {
            e->count++;
            return 0;
        }
    }
    if (t->n == t->cap) {
        Py_ssize_t cap = t->cap ? t->cap * 2 : 128;
        span_t *spans = PyMem_Realloc(t->spans, (size_t)cap * sizeof(span_t));
        if (spans == NULL) return -1;
        t->spans = spans;
        t->cap = cap;
    }
    t->spans[t->n] = (span_t){start, len, 1, hash};
    t->slots[j] = ++t->n;
    return 0;
}

/* Count the terms of `text` (lowercased) into `terms`: 1, or 0 when the text holds a
 * character of a script written without spaces, or -1 with an exception set. */
static int count_terms(PyObject *text, spans_t *terms) {
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t i = 0;
    while (i < n) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (!word_char(c)) {
            if (c >= 0x0E00 && unspaced(c)) return 0;
            i++;
            continue;
        }
        Py_ssize_t start = i;
        int digits = 1;
        Py_uhash_t hash = 1469598103934665603ULL; /* FNV-1a over the code points */
        for (; i < n; i++) {
            c = PyUnicode_READ(kind, data, i);
            if (!word_char(c)) break;
            if (c >= 0x0E00 && unspaced(c)) return 0;
            if (digits && !(c < 128 ? (c >= '0' && c <= '9') : Py_UNICODE_ISDIGIT(c))) digits = 0;
            hash = (hash ^ c) * 1099511628211ULL;
        }
        if (i - start < 2 || digits) continue;
        if (spans_count(terms, data, kind, start, i - start, hash) < 0) {
            PyErr_NoMemory();
            return -1;
        }
    }
    return 1;
}

static void spans_free(spans_t *t) {
    PyMem_Free(t->spans);
    PyMem_Free(t->slots);
}

/* The str of a counted term, or NULL with an exception set; *is_stop: a stop word. */
static PyObject *span_str(PyObject *text, span_t *e, PyObject *stop, int *is_stop) {
    PyObject *term = PyUnicode_Substring(text, e->start, e->start + e->len);
    if (term == NULL) return NULL;
    *is_stop = PySet_Contains(stop, term);
    if (*is_stop < 0) Py_CLEAR(term);
    return term;
}

/* Each distinct term is counted in C first: its str, its stop-word check and its count are
 * made once per distinct term, not once per occurrence. */
static PyObject *term_counts(PyObject *self, PyObject *args) {
    PyObject *text, *stop;
    if (!PyArg_ParseTuple(args, "UO!", &text, &PyFrozenSet_Type, &stop)) return NULL;
    spans_t terms = {0};
    int found = count_terms(text, &terms);
    if (found <= 0) {
        spans_free(&terms);
        if (found < 0) return NULL;
        Py_RETURN_NONE;
    }
    PyObject *counts = PyDict_New();
    for (Py_ssize_t k = 0; counts != NULL && k < terms.n; k++) {
        int is_stop = 0;
        PyObject *term = span_str(text, &terms.spans[k], stop, &is_stop);
        int failed = term == NULL;
        if (!failed && !is_stop) {
            PyObject *count = PyLong_FromSsize_t(terms.spans[k].count);
            failed = count == NULL || PyDict_SetItem(counts, term, count) < 0;
            Py_XDECREF(count);
        }
        Py_XDECREF(term);
        if (failed) Py_CLEAR(counts);
    }
    spans_free(&terms);
    return counts;
}

static int by_count(const void *a, const void *b) {
    Py_ssize_t x = ((const span_t *)a)->count, y = ((const span_t *)b)->count;
    return (x < y) - (x > y); /* the most frequent first */
}

typedef struct { PyObject *term; Py_ssize_t count; } ranked_t;

static int by_count_then_term(const void *a, const void *b) {
    const ranked_t *x = a, *y = b;
    if (x->count != y->count) return (x->count < y->count) - (x->count > y->count);
    return PyUnicode_Compare(x->term, y->term); /* two exact strs: never fails */
}

/* top_terms(folded, stop_words, k) -> [(term, count), ...] or None: topics.heaviest of
 * term_counts (the k most frequent terms, ties in code point order), without making a str
 * of each term: the terms are ranked by count in C, and only those down to the k-th
 * non-stop term's count (and its ties) become strs and are checked against stop_words. */
static PyObject *top_terms(PyObject *self, PyObject *args) {
    PyObject *text, *stop;
    Py_ssize_t k;
    if (!PyArg_ParseTuple(args, "UO!n", &text, &PyFrozenSet_Type, &stop, &k)) return NULL;
    spans_t terms = {0};
    int found = count_terms(text, &terms);
    if (found <= 0) {
        spans_free(&terms);
        if (found < 0) return NULL;
        Py_RETURN_NONE;
    }
    qsort(terms.spans, (size_t)terms.n, sizeof(span_t), by_count);
    ranked_t *kept = PyMem_Calloc((size_t)(terms.n ? terms.n : 1), sizeof(ranked_t));
    Py_ssize_t n_kept = 0, floor = 0;
    PyObject *out = NULL;
    if (kept == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t i = 0; k > 0 && i < terms.n; i++) {
        span_t *e = &terms.spans[i];
        if (n_kept >= k && e->count < floor) break; /* below the k-th term's count */
        int is_stop = 0;
        PyObject *term = span_str(text, e, stop, &is_stop);
        if (term == NULL) goto done;
        if (is_stop) {
            Py_DECREF(term);
            continue;
        }
        kept[n_kept++] = (ranked_t){term, e->count};
        if (n_kept == k) floor = e->count;
    }
    qsort(kept, (size_t)n_kept, sizeof(ranked_t), by_count_then_term);
    Py_ssize_t n_out = n_kept < k ? n_kept : k;
    out = PyList_New(n_out);
    for (Py_ssize_t i = 0; out != NULL && i < n_out; i++) {
        PyObject *pair = Py_BuildValue("(On)", kept[i].term, kept[i].count);
        if (pair == NULL) Py_CLEAR(out);
        else PyList_SET_ITEM(out, i, pair);
    }
done:
    for (Py_ssize_t i = 0; kept != NULL && i < n_kept; i++) Py_DECREF(kept[i].term);
    PyMem_Free(kept);
    spans_free(&terms);
    return out;
}

/* positions(column, value) -> [index, ...]: where the list `column` holds an item equal
 * to `value` (==, as list.index compares: identity first).  Element tables hold one str
 * object per tag name, so most items are told apart by identity or by their lengths
 * instead of a rich comparison each. */
static PyObject *positions(PyObject *self, PyObject *args) {
    PyObject *column, *value;
    if (!PyArg_ParseTuple(args, "O!O", &PyList_Type, &column, &value)) return NULL;
    PyObject *out = PyList_New(0);
    if (out == NULL) return NULL;
    int value_str = PyUnicode_CheckExact(value);
    Py_ssize_t value_len = value_str ? PyUnicode_GET_LENGTH(value) : -1;
    PyObject *same = value; /* an item found equal (a str: equality is transitive); owned */
    Py_INCREF(same);
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(column); i++) {
        PyObject *item = PyList_GET_ITEM(column, i);
        int eq;
        if (item == value || item == same) {
            eq = 1;
        } else if (value_str && (item == Py_None ||
                                 (PyUnicode_CheckExact(item) &&
                                  PyUnicode_GET_LENGTH(item) != value_len))) {
            eq = 0;
        } else {
            Py_INCREF(item); /* a comparison may run Python code */
            eq = PyObject_RichCompareBool(item, value, Py_EQ);
            if (eq > 0 && value_str && PyUnicode_CheckExact(item)) Py_SETREF(same, Py_NewRef(item));
            Py_DECREF(item);
            if (eq < 0) { Py_DECREF(same); Py_DECREF(out); return NULL; }
        }
        if (eq) {
            PyObject *k = PyLong_FromSsize_t(i);
            if (k == NULL || PyList_Append(out, k) < 0) {
                Py_XDECREF(k);
                Py_DECREF(same);
                Py_DECREF(out);
                return NULL;
            }
            Py_DECREF(k);
        }
    }
    Py_DECREF(same);
    return out;
}

/* Does s[0:n] contain w[0:k]?  Names are short and words shorter: memchr to each place
 * the word's first byte is, then memcmp (glibc's memmem prepares each search first,
 * which costs more than the search here). */
static int has_bytes(const char *s, size_t n, const char *w, size_t k) {
    if (k == 0) return 1;
    if (k > n) return 0;
    const char *p = s, *last = s + (n - k);
    while (p <= last) {
        p = memchr(p, w[0], (size_t)(last - p) + 1);
        if (p == NULL) return 0;
        if (memcmp(p + 1, w + 1, k - 1) == 0) return 1;
        p++;
    }
    return 0;
}

/* mentions(name, words) -> bool, or None: does the str `name` contain one of the strs in
 * the tuple `words` (`word in name`)?  Byte search over UTF-8, which finds exactly the
 * substrings of code points; None when a str has no UTF-8 form (a lone surrogate). */
static PyObject *mentions(PyObject *self, PyObject *args) {
    PyObject *name, *words;
    if (!PyArg_ParseTuple(args, "UO!", &name, &PyTuple_Type, &words)) return NULL;
    Py_ssize_t n;
    const char *s = PyUnicode_AsUTF8AndSize(name, &n);
    if (s == NULL) { PyErr_Clear(); Py_RETURN_NONE; }
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(words); i++) {
        PyObject *word = PyTuple_GET_ITEM(words, i);
        if (!PyUnicode_Check(word)) {
            PyErr_SetString(PyExc_TypeError, "words must be str");
            return NULL;
        }
        Py_ssize_t k;
        const char *w = PyUnicode_AsUTF8AndSize(word, &k);
        if (w == NULL) { PyErr_Clear(); Py_RETURN_NONE; }
        if (has_bytes(s, (size_t)n, w, (size_t)k)) Py_RETURN_TRUE;
    }
    Py_RETURN_FALSE;
}

/* The int64 column `obj` (a memoryview cast to "q", as _c_walk makes them) of n items:
 * its buffer in `view` (to release), or -1 with an exception set. */
static int q_column(PyObject *obj, Py_buffer *view, Py_ssize_t n) {
    if (PyObject_GetBuffer(obj, view, PyBUF_FORMAT | PyBUF_C_CONTIGUOUS) < 0) return -1;
    if (view->itemsize != 8 || view->format == NULL || strcmp(view->format, "q") != 0 ||
        view->len != n * 8) {
        PyBuffer_Release(view);
        PyErr_SetString(PyExc_TypeError, "expected an int64 column of one item per element");
        return -1;
    }
    return 0;
}

/* Is the str `s` equal to the ASCII word w[0:k]? */
static inline int str_eq(PyObject *s, const char *w, Py_ssize_t k) {
    if (PyUnicode_CheckExact(s) && PyUnicode_IS_COMPACT_ASCII(s))
        return PyUnicode_GET_LENGTH(s) == k && memcmp(PyUnicode_DATA(s), w, (size_t)k) == 0;
    return PyUnicode_Check(s) && PyUnicode_CompareWithASCIIString(s, w) == 0;
}

/* text_blocks(tag, ink, commas, gaps, phrasing_ink, phrasing_commas, min_text) ->
 * [(element, score), ...]: linkspider.regions.main_block.text_blocks over a C walk's
 * columns (python_text_blocks there is the same computation, and the reference the tests
 * hold this to).  A p, pre, td, section or h2-h6 is a block of its subtree's text; a div,
 * of its runs of phrasing text with their share of the subtree's gaps.  A block of at
 * least min_text characters scores 1 + commas + a point per 100 characters (at most 3). */
static PyObject *text_blocks(PyObject *self, PyObject *args) {
    PyObject *tag, *cols[5];
    Py_ssize_t min_text;
    if (!PyArg_ParseTuple(args, "O!OOOOOn", &PyList_Type, &tag, &cols[0], &cols[1], &cols[2],
                          &cols[3], &cols[4], &min_text))
        return NULL;
    Py_ssize_t n = PyList_GET_SIZE(tag);
    Py_buffer views[5];
    int got = 0;
    PyObject *out = NULL;
    for (; got < 5; got++)
        if (q_column(cols[got], &views[got], n) < 0) goto done;
    const int64_t *ink = views[0].buf, *commas = views[1].buf, *gaps = views[2].buf,
                  *run_ink = views[3].buf, *run_commas = views[4].buf;
    out = PyList_New(0);
    if (out == NULL) goto done;
    for (Py_ssize_t k = 0; k < n; k++) {
        PyObject *t = PyList_GET_ITEM(tag, k);
        if (!PyUnicode_CheckExact(t) || !PyUnicode_IS_COMPACT_ASCII(t)) continue;
        Py_ssize_t len = PyUnicode_GET_LENGTH(t);
        const char *c = PyUnicode_DATA(t);
        int64_t length, n_commas;
        if ((len == 1 && c[0] == 'p') || (len == 2 && c[0] == 'h' && c[1] >= '2' && c[1] <= '6') ||
            (len == 2 && c[0] == 't' && c[1] == 'd') || (len == 3 && memcmp(c, "pre", 3) == 0) ||
            (len == 7 && memcmp(c, "section", 7) == 0)) {
            length = ink[k] + gaps[k];
            n_commas = commas[k];
        } else if (len == 3 && memcmp(c, "div", 3) == 0) {
            int64_t part = run_ink[k], whole = ink[k];
            n_commas = run_commas[k];
            length = part + (part == whole ? gaps[k]
                             : whole ? (int64_t)((__int128)gaps[k] * part / whole) : 0);
        } else {
            continue;
        }
        if (length < min_text) continue;
        int64_t points = length / 100;
        PyObject *item = Py_BuildValue("(nL)", k, (long long)(1 + n_commas + (points < 3 ? points : 3)));
        if (item == NULL || PyList_Append(out, item) < 0) {
            Py_XDECREF(item);
            Py_CLEAR(out);
            goto done;
        }
        Py_DECREF(item);
    }
done:
    while (got > 0) PyBuffer_Release(&views[--got]);
    return out;
}

/* link_prefix(refs, ink, gaps, n) -> [float] * (n + 1): prefix sums over element indices of
 * the link text of Readability's link elements (every HTML <a>; an in-page one, "#x",
 * weighing 0.3 of its text), as linkspider.regions.density.LinkDensity sums them
 * (python_link_prefix there is the reference). */
static PyObject *link_prefix(PyObject *self, PyObject *args) {
    PyObject *refs, *ink_col, *gaps_col;
    Py_ssize_t n;
    if (!PyArg_ParseTuple(args, "O!OOn", &PyList_Type, &refs, &ink_col, &gaps_col, &n))
        return NULL;
    Py_buffer vi, vg;
    if (q_column(ink_col, &vi, n) < 0) return NULL;
    if (q_column(gaps_col, &vg, n) < 0) { PyBuffer_Release(&vi); return NULL; }
    const int64_t *ink = vi.buf, *gaps = vg.buf;
    PyObject *out = NULL;
    double *at = PyMem_Calloc((size_t)n + 1, sizeof(double));
    if (at == NULL) { PyErr_NoMemory(); goto done; }
    for (Py_ssize_t r = 0; r < PyList_GET_SIZE(refs); r++) {
        PyObject *ref = PyList_GET_ITEM(refs, r);
        if (!PyTuple_Check(ref) || PyTuple_GET_SIZE(ref) < 3) {
            PyErr_SetString(PyExc_TypeError, "refs must be tuples (element, tag, href, ...)");
            goto done;
        }
        if (!str_eq(PyTuple_GET_ITEM(ref, 1), "a", 1)) continue;
        Py_ssize_t key = PyLong_AsSsize_t(PyTuple_GET_ITEM(ref, 0));
        if (key == -1 && PyErr_Occurred()) goto done;
        if (key < 0 || key >= n) {
            PyErr_SetString(PyExc_IndexError, "ref element out of range");
            goto done;
        }
        PyObject *href = PyTuple_GET_ITEM(ref, 2);
        double length = (double)(ink[key] + gaps[key]);
        if (PyUnicode_Check(href) && PyUnicode_GET_LENGTH(href) > 1 &&
            PyUnicode_READ_CHAR(href, 0) == '#')
            length *= 0.3;
        at[key + 1] = length;
    }
    out = PyList_New(n + 1);
    if (out == NULL) goto done;
    double sum = 0.0;
    for (Py_ssize_t k = 0; k <= n; k++) {
        sum += at[k];
        PyObject *f = PyFloat_FromDouble(sum);
        if (f == NULL) { Py_CLEAR(out); goto done; }
        PyList_SET_ITEM(out, k, f);
    }
done:
    PyMem_Free(at);
    PyBuffer_Release(&vi);
    PyBuffer_Release(&vg);
    return out;
}

/* One attempt at the main block, as linkspider.regions.main_block._Chooser.python_attempt
 * makes it (the reference the tests hold this to): the page's columns, and its candidates'
 * scores in an array over element indices, in the order the dict there would hold them. */
typedef struct {
    PyObject *tag, *cls, *period, *prefix, *tag_score, *roots, *cues, *unset, *describe,
        *weights;
    const int64_t *parent, *end, *children, *ink, *gaps;
    Py_ssize_t n;
    int use_weights;
    double *score;
    unsigned char *has;
    Py_ssize_t *order, n_order;
} chooser_t;

static int at_root(chooser_t *c, Py_ssize_t k) { /* tag in ROOTS; -1: error */
    return PySet_Contains(c->roots, PyList_GET_ITEM(c->tag, k));
}

static int at_top(chooser_t *c, Py_ssize_t k) { /* tag in ROOTS or "body"; -1: error */
    int r = at_root(c, k);
    return r ? r : str_eq(PyList_GET_ITEM(c->tag, k), "body", 4);
}

static int as_double(PyObject *x, double *out) {
    if (!PyFloat_Check(x)) {
        PyErr_SetString(PyExc_TypeError, "link text prefix sums must be floats");
        return -1;
    }
    *out = PyFloat_AS_DOUBLE(x);
    return 0;
}

/* LinkDensity.of(k): link text over all text of k's subtree, at most 1 (0 without text). */
static int density_of(chooser_t *c, Py_ssize_t k, double *out) {
    int64_t length = c->ink[k] + c->gaps[k];
    if (!length) { *out = 0.0; return 0; }
    double to, from;
    if (as_double(PyList_GET_ITEM(c->prefix, c->end[k]), &to) < 0 ||
        as_double(PyList_GET_ITEM(c->prefix, k), &from) < 0)
        return -1;
    double x = (to - from) / (double)length;
    *out = x < 1.0 ? x : 1.0;
    return 0;
}

/* A candidate's score before any text flows to it: its tag's, plus its class weight. */
static int add_candidate(chooser_t *c, Py_ssize_t k, int in_order) {
    long initial = 0;
    PyObject *ts = PyDict_GetItemWithError(c->tag_score, PyList_GET_ITEM(c->tag, k));
    if (ts == NULL && PyErr_Occurred()) return -1;
    if (ts != NULL) {
        initial = PyLong_AsLong(ts);
        if (initial == -1 && PyErr_Occurred()) return -1;
    }
    if (c->use_weights) {
        if (PyList_GET_ITEM(c->cues, k) == c->unset) { /* names.weight(k): describe it first */
            PyObject *key = PyLong_FromSsize_t(k);
            if (key == NULL) return -1;
            PyObject *r = PyObject_CallOneArg(c->describe, key);
            Py_DECREF(key);
            if (r == NULL) return -1;
            Py_DECREF(r);
        }
        long w = PyLong_AsLong(PyList_GET_ITEM(c->weights, k));
        if (w == -1 && PyErr_Occurred()) return -1;
        initial += w;
    }
    c->score[k] = (double)initial;
    c->has[k] = 1;
    if (in_order) c->order[c->n_order++] = k;
    return 0;
}

static int in_range(const int64_t *col, Py_ssize_t n, Py_ssize_t lo, Py_ssize_t hi) {
    for (Py_ssize_t i = 0; i < n; i++)
        if (col[i] < lo || col[i] > hi) return 0;
    return 1;
}

static Py_ssize_t choose(chooser_t *c, PyObject *blocks, PyObject *out);

/* main_block_attempt(blocks, parent, end, children, ink, gaps, tag, cls, period, prefix,
 *                    tag_score, roots, cues, unset, describe, weights, use_weights)
 *   -> [element, ...] (the top candidate first, then the siblings that join it) or None */
static PyObject *main_block_attempt(PyObject *self, PyObject *args) {
    PyObject *blocks, *cols[5];
    chooser_t c = {0};
    if (!PyArg_ParseTuple(args, "O!OOOOOO!O!O!O!O!O!O!OOO!p", &PyList_Type, &blocks, &cols[0],
                          &cols[1], &cols[2], &cols[3], &cols[4], &PyList_Type, &c.tag,
                          &PyList_Type, &c.cls, &PyList_Type, &c.period, &PyList_Type,
                          &c.prefix, &PyDict_Type, &c.tag_score, &PyFrozenSet_Type, &c.roots,
                          &PyList_Type, &c.cues, &c.unset, &c.describe, &PyList_Type,
                          &c.weights, &c.use_weights))
        return NULL;
    c.n = PyList_GET_SIZE(c.tag);
    if (PyList_GET_SIZE(c.cls) != c.n || PyList_GET_SIZE(c.period) != c.n ||
        PyList_GET_SIZE(c.prefix) != c.n + 1 || PyList_GET_SIZE(c.cues) != c.n ||
        PyList_GET_SIZE(c.weights) != c.n) {
        PyErr_SetString(PyExc_ValueError, "columns of different lengths");
        return NULL;
    }
    Py_buffer views[5];
    int got = 0;
    PyObject *out = NULL;
    for (; got < 5; got++)
        if (q_column(cols[got], &views[got], c.n) < 0) goto done;
    c.parent = views[0].buf;
    c.end = views[1].buf;
    c.children = views[2].buf;
    c.ink = views[3].buf;
    c.gaps = views[4].buf;
    if (!in_range(c.parent, c.n, -1, c.n - 1) || !in_range(c.end, c.n, 0, c.n)) {
        PyErr_SetString(PyExc_ValueError, "parent or end out of range");
        goto done;
    }
    c.score = PyMem_Calloc((size_t)c.n + 1, sizeof(double));
    c.has = PyMem_Calloc((size_t)c.n + 1, 1);
    c.order = PyMem_Calloc((size_t)c.n + 1, sizeof(Py_ssize_t));
    if (c.score == NULL || c.has == NULL || c.order == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    out = PyList_New(0);
    if (out == NULL) goto done;
    Py_ssize_t found = choose(&c, blocks, out);
    if (found < 0) Py_CLEAR(out);
    else if (found == 0) Py_SETREF(out, Py_NewRef(Py_None));
done:
    PyMem_Free(c.score);
    PyMem_Free(c.has);
    PyMem_Free(c.order);
    while (got > 0) PyBuffer_Release(&views[--got]);
    return out;
}

static int append_index(PyObject *out, Py_ssize_t k) {
    PyObject *key = PyLong_FromSsize_t(k);
    if (key == NULL) return -1;
    int rc = PyList_Append(out, key);
    Py_DECREF(key);
    return rc;
}

/* The attempt itself: 1 when `out` holds the block, 0 when no text flowed anywhere, -1. */
static Py_ssize_t choose(chooser_t *c, PyObject *blocks, PyObject *out) {
    const int64_t *parent = c->parent, *end = c->end;
    int r;
    /* each block's score flows to up to five ancestors: divided by 1, 2, then 3 x level */
    for (Py_ssize_t b = 0; b < PyList_GET_SIZE(blocks); b++) {
        PyObject *block = PyList_GET_ITEM(blocks, b);
        if (!PyTuple_Check(block) || PyTuple_GET_SIZE(block) != 2) {
            PyErr_SetString(PyExc_TypeError, "blocks must be (element, score) pairs");
            return -1;
        }
        Py_ssize_t key = PyLong_AsSsize_t(PyTuple_GET_ITEM(block, 0));
        if (key == -1 && PyErr_Occurred()) return -1;
        long long points = PyLong_AsLongLong(PyTuple_GET_ITEM(block, 1));
        if (points == -1 && PyErr_Occurred()) return -1;
        if (key < 0 || key >= c->n) {
            PyErr_SetString(PyExc_IndexError, "block element out of range");
            return -1;
        }
        Py_ssize_t k = (Py_ssize_t)parent[key], level = 0;
        while (k >= 0 && level < 5) {
            if ((r = at_root(c, k)) != 0) {
                if (r < 0) return -1;
                break;
            }
            if (!c->has[k] && add_candidate(c, k, 1) < 0) return -1;
            double divisor = level == 0 ? 1.0 : level == 1 ? 2.0 : (double)(level * 3);
            c->score[k] += (double)points / divisor;
            if (c->children[k] != 1 || k == parent[key]) level++;
            k = (Py_ssize_t)parent[k];
        }
    }
    if (c->n_order == 0) return 0;
    /* every candidate scaled by its link density; the five best (ties: the first met) */
    Py_ssize_t ranked[5] = {0}; /* (n_order > 0: the first goes in ranked[0]) */
    int n_ranked = 0;
    for (Py_ssize_t i = 0; i < c->n_order; i++) {
        Py_ssize_t k = c->order[i];
        if (c->score[k] != 0.0) {
            double d;
            if (density_of(c, k, &d) < 0) return -1;
            c->score[k] = c->score[k] * (1 - d);
        }
        int at = n_ranked;
        while (at > 0 && c->score[ranked[at - 1]] < c->score[k]) at--;
        if (at < 5) {
            for (int j = (n_ranked < 5 ? n_ranked : 4); j > at; j--) ranked[j] = ranked[j - 1];
            ranked[at] = k;
            if (n_ranked < 5) n_ranked++;
        }
    }
    /* Readability's "alternative candidates": three of the others within 3/4 of the best */
    Py_ssize_t top = ranked[0], common = -1;
    double best = c->score[top];
    if (best > 0) {
        Py_ssize_t close[4];
        int n_close = 0;
        for (int j = 1; j < n_ranked; j++)
            if (c->score[ranked[j]] / best >= 0.75) close[n_close++] = ranked[j];
        if (n_close >= 3) {
            Py_ssize_t k = (Py_ssize_t)parent[top];
            while (k >= 0) {
                if ((r = at_top(c, k)) != 0) {
                    if (r < 0) return -1;
                    break;
                }
                int inside = 0;
                for (int j = 0; j < n_close; j++) inside += k < close[j] && close[j] < end[k];
                if (inside >= 3) { common = k; break; }
                k = (Py_ssize_t)parent[k];
            }
        }
    }
    if (common > 0) top = common; /* (`common or ranked[0][0]`: element 0 counts as none) */
    if (!c->has[top] && add_candidate(c, top, 0) < 0) return -1;
    /* a better-scoring parent, or a parent of an only child, replaces it */
    double last = c->score[top], threshold = last / 3;
    Py_ssize_t k = (Py_ssize_t)parent[top];
    while (k >= 0) {
        if ((r = at_top(c, k)) != 0) {
            if (r < 0) return -1;
            break;
        }
        if (!c->has[k]) { k = (Py_ssize_t)parent[k]; continue; }
        if (c->score[k] < threshold) break;
        if (c->score[k] > last) { top = k; break; }
        last = c->score[k];
        k = (Py_ssize_t)parent[k];
    }
    for (;;) {
        k = (Py_ssize_t)parent[top];
        if (k < 0 || c->children[k] != 1) break;
        if ((r = at_top(c, k)) != 0) {
            if (r < 0) return -1;
            break;
        }
        top = k;
    }
    if (!c->has[top] && add_candidate(c, top, 0) < 0) return -1;
    if (append_index(out, top) < 0) return -1;
    /* siblings that score well, or paragraphs that read like prose, join it */
    Py_ssize_t up = (Py_ssize_t)parent[top];
    if (up < 0) return 1;
    if ((r = at_root(c, up)) != 0) return r < 0 ? -1 : 1;
    double top_score = c->score[top], fifth = top_score * 0.2;
    double keep_at = fifth > 10.0 ? fifth : 10.0;
    PyObject *top_class = PyList_GET_ITEM(c->cls, top);
    int classed = top_class != Py_None && PyObject_IsTrue(top_class);
    if (classed < 0) return -1;
    for (Py_ssize_t key = up + 1; key < end[up]; key = (Py_ssize_t)end[key]) {
        if (key == top) continue;
        double bonus = 0.0;
        if (classed) {
            int same = PyObject_RichCompareBool(PyList_GET_ITEM(c->cls, key), top_class, Py_EQ);
            if (same < 0) return -1;
            if (same) bonus = fifth;
        }
        int keep = c->has[key] && c->score[key] + bonus >= keep_at;
        if (!keep && str_eq(PyList_GET_ITEM(c->tag, key), "p", 1)) {
            int64_t length = c->ink[key] + c->gaps[key];
            double d;
            if (density_of(c, key, &d) < 0) return -1;
            if (length > 80 && d < 0.25) keep = 1;
            else if (0 < length && length < 80 && d == 0) {
                keep = PyObject_IsTrue(PyList_GET_ITEM(c->period, key));
                if (keep < 0) return -1;
            }
        }
        if (keep && append_index(out, key) < 0) return -1;
    }
    return 1;
}

/* ---- each link's region decision (linkspider.regions._Classifier.decide) ----------------
 *
 * decide_links(links, parent, hidden, ink, gaps, end, tag, prefix, cues, unset, describe,
 * main, outer, cleaned, absorbed, inside, declares_main) -> [(region, decision path, link
 * density), ...]:
 * _Classifier.python_decide over a C walk's columns (the reference the tests hold this to):
 * for each link (or its parent, for a link without a cue of its own), what the path up to
 * the main block says (innermost non-main cue, a main cue seen, the innermost cleanable
 * container, each container's next one up written to `outer`; a main cue on an element that
 * declares_main(key) silences the cue above it), and the answer it gives.
 * A link inside the main block with no cue is handed to inside(key, container, density,
 * saw_main): the cleaning, cross-link and related-list checks, in Python. */
typedef struct {
    PyObject *cue; /* strong; NULL: None */
    Py_ssize_t container;
    char inside, saw_main, set;
} dl_path_t;

typedef struct {
    const int64_t *parent, *hidden, *ink, *gaps, *end;
    PyObject *tag, *prefix, *cues, *unset, *describe, *outer, *cleaned, *absorbed, *inside;
    PyObject *declares_main;
    Py_ssize_t n;
    unsigned char *in_main;
    int has_main;
    dl_path_t *paths;
    PyObject **answers; /* strong; NULL: not yet */
    Py_ssize_t *chain, chain_cap;
} dl_t;

static PyObject *dl_str[7]; /* body, hidden, cue_in_block, cue, cue_no_block, main, markup_main */

static PyObject *dl_cue(dl_t *d, Py_ssize_t k) { /* cues[k], described if unset: new ref */
    PyObject *cue = PyList_GET_ITEM(d->cues, k);
    if (cue != d->unset) return Py_NewRef(cue);
    PyObject *key = PyLong_FromSsize_t(k);
    if (key == NULL) return NULL;
    cue = PyObject_CallOneArg(d->describe, key);
    Py_DECREF(key);
    return cue;
}

static int dl_set_outer(dl_t *d, Py_ssize_t k, Py_ssize_t container) {
    PyObject *key = PyLong_FromSsize_t(k), *value = PyLong_FromSsize_t(container);
    int rc = (key && value) ? PyDict_SetItem(d->outer, key, value) : -1;
    Py_XDECREF(key);
    Py_XDECREF(value);
    return rc;
}

/* _Classifier._path(key): the path's reading, memoized in d->paths. */
static dl_path_t *dl_path(dl_t *d, Py_ssize_t key) {
    static dl_path_t outside = {NULL, -1, 0, 0, 1}, at_main = {NULL, -1, 1, 0, 1};
    Py_ssize_t n_chain = 0, k = key;
    while (k >= 0 && !d->paths[k].set && !d->in_main[k]) {
        if (n_chain == d->chain_cap) {
            Py_ssize_t cap = d->chain_cap ? 2 * d->chain_cap : 64;
            Py_ssize_t *grown = PyMem_Realloc(d->chain, (size_t)cap * sizeof(Py_ssize_t));
            if (grown == NULL) { PyErr_NoMemory(); return NULL; }
            d->chain = grown;
            d->chain_cap = cap;
        }
        d->chain[n_chain++] = k;
        k = (Py_ssize_t)d->parent[k];
    }
    dl_path_t *above = k < 0 ? &outside : d->in_main[k] ? &at_main : &d->paths[k];
    while (n_chain > 0) {
        k = d->chain[--n_chain];
        dl_path_t here = *above; /* here.cue: borrowed from the memo above (NULL: None) */
        PyObject *own = dl_cue(d, k);
        if (own == NULL) return NULL;
        int own_main = own != Py_None && str_eq(own, "main", 4);
        if (own_main && here.cue != NULL) { /* declared main below a cue: silences it */
            PyObject *key = PyLong_FromSsize_t(k);
            PyObject *declared = key ? PyObject_CallOneArg(d->declares_main, key) : NULL;
            Py_XDECREF(key);
            int yes = declared ? PyObject_IsTrue(declared) : -1;
            Py_XDECREF(declared);
            if (yes < 0) { Py_DECREF(own); return NULL; }
            if (yes) here.cue = NULL;
        }
        if (own != Py_None && !own_main) {
            int absorbed = 0;
            if (here.cue != NULL) {
                PyObject *keep = PyDict_GetItemWithError(d->absorbed, here.cue);
                if (keep == NULL && PyErr_Occurred()) { Py_DECREF(own); return NULL; }
                if (keep != NULL && (absorbed = PySequence_Contains(keep, own)) < 0) {
                    Py_DECREF(own);
                    return NULL;
                }
            }
            if (!absorbed) {
                here.cue = own;
                here.container = -1;
            }
        } else {
            if (own != Py_None) here.saw_main = 1; /* a main cue */
            if (here.cue == NULL) {
                int cleanable = PySet_Contains(d->cleaned, PyList_GET_ITEM(d->tag, k));
                if (cleanable < 0) { Py_DECREF(own); return NULL; }
                if (cleanable) {
                    if (dl_set_outer(d, k, here.container) < 0) { Py_DECREF(own); return NULL; }
                    here.container = k;
                }
            }
        }
        Py_XINCREF(here.cue); /* the memo's own reference */
        Py_DECREF(own);
        here.set = 1;
        d->paths[k] = here;
        above = &d->paths[k];
    }
    return (dl_path_t *)above;
}

static PyObject *dl_answer(PyObject *region, PyObject *path, double density) {
    PyObject *x = PyFloat_FromDouble(density);
    if (x == NULL) return NULL;
    PyObject *t = PyTuple_Pack(3, region, path, x);
    Py_DECREF(x);
    return t;
}

/* _Classifier.python_explain(key). */
static PyObject *dl_explain(dl_t *d, Py_ssize_t key) {
    dl_path_t *p = dl_path(d, key);
    if (p == NULL) return NULL;
    double density = 0.0;
    if (p->container >= 0) {
        Py_ssize_t c = p->container;
        int64_t length = d->ink[c] + d->gaps[c];
        if (length) {
            PyObject *to = PyList_GET_ITEM(d->prefix, d->end[c]), *from = PyList_GET_ITEM(d->prefix, c);
            if (!PyFloat_Check(to) || !PyFloat_Check(from)) {
                PyErr_SetString(PyExc_TypeError, "link text prefix sums must be floats");
                return NULL;
            }
            double x = (PyFloat_AS_DOUBLE(to) - PyFloat_AS_DOUBLE(from)) / (double)length;
            density = x < 1.0 ? x : 1.0;
        }
    }
    PyObject *cue = p->cue ? p->cue : Py_None;
    if (d->hidden[key])
        return dl_answer(PyObject_IsTrue(cue) > 0 ? cue : dl_str[0], dl_str[1], density);
    if (cue != Py_None)
        return dl_answer(cue, p->inside ? dl_str[2] : d->has_main ? dl_str[3] : dl_str[4], density);
    if (p->inside) {
        PyObject *args[4];
        args[0] = PyLong_FromSsize_t(key);
        args[1] = PyLong_FromSsize_t(p->container);
        args[2] = PyFloat_FromDouble(density);
        args[3] = p->saw_main ? Py_True : Py_False;
        PyObject *r = NULL;
        if (args[0] && args[1] && args[2]) r = PyObject_Vectorcall(d->inside, args, 4, NULL);
        Py_XDECREF(args[0]); Py_XDECREF(args[1]); Py_XDECREF(args[2]);
        return r;
    }
    if (p->saw_main && !d->has_main) return dl_answer(dl_str[5], dl_str[6], density);
    return dl_answer(dl_str[0], dl_str[0], density);
}

static PyObject *decide_links(PyObject *self, PyObject *args) {
    PyObject *links, *cols[5], *main;
    dl_t d = {0};
    if (!PyArg_ParseTuple(args, "O!OOOOOO!O!O!OOOO!O!O!OO:decide_links", &PyList_Type, &links,
                          &cols[0], &cols[1], &cols[2], &cols[3], &cols[4], &PyList_Type, &d.tag,
                          &PyList_Type, &d.prefix, &PyList_Type, &d.cues, &d.unset, &d.describe,
                          &main, &PyDict_Type, &d.outer, &PyFrozenSet_Type, &d.cleaned,
                          &PyDict_Type, &d.absorbed, &d.inside, &d.declares_main))
        return NULL;
    if (!PyAnySet_Check(main)) {
        PyErr_SetString(PyExc_TypeError, "decide_links: main must be a set");
        return NULL;
    }
    d.n = PyList_GET_SIZE(d.tag);
    if (PyList_GET_SIZE(d.prefix) != d.n + 1 || PyList_GET_SIZE(d.cues) != d.n) {
        PyErr_SetString(PyExc_ValueError, "columns of different lengths");
        return NULL;
    }
    Py_buffer views[5];
    int got = 0;
    PyObject *out = NULL;
    for (; got < 5; got++)
        if (q_column(cols[got], &views[got], d.n) < 0) goto done;
    d.parent = views[0].buf;
    d.hidden = views[1].buf;
    d.ink = views[2].buf;
    d.gaps = views[3].buf;
    d.end = views[4].buf;
    if (!in_range(d.parent, d.n, -1, d.n - 1) || !in_range(d.end, d.n, 0, d.n)) {
        PyErr_SetString(PyExc_ValueError, "parent or end out of range");
        goto done;
    }
    d.in_main = PyMem_Calloc((size_t)d.n + 1, 1);
    d.paths = PyMem_Calloc((size_t)d.n + 1, sizeof(dl_path_t));
    d.answers = PyMem_Calloc((size_t)d.n + 1, sizeof(PyObject *));
    if (d.in_main == NULL || d.paths == NULL || d.answers == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    {
        PyObject *it = PyObject_GetIter(main), *item;
        if (it == NULL) goto done;
        while ((item = PyIter_Next(it)) != NULL) {
            Py_ssize_t k = PyLong_Check(item) ? PyLong_AsSsize_t(item) : -1;
            Py_DECREF(item);
            if (k == -1 && PyErr_Occurred()) break;
            if (k < 0 || k >= d.n) {
                PyErr_SetString(PyExc_ValueError, "decide_links: main holds a non-element");
                break;
            }
            d.in_main[k] = 1;
        }
        Py_DECREF(it);
        if (PyErr_Occurred()) goto done;
        d.has_main = PySet_GET_SIZE(main) > 0;
    }
    Py_ssize_t count = PyList_GET_SIZE(links);
    out = PyList_New(count);
    if (out == NULL) goto done;
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *item = PyList_GET_ITEM(links, i);
        Py_ssize_t key = PyLong_Check(item) ? PyLong_AsSsize_t(item) : -1;
        if (key == -1 && PyErr_Occurred()) { Py_CLEAR(out); goto done; }
        if (key < 0 || key >= d.n) {
            PyErr_SetString(PyExc_ValueError, "decide_links: a link that is not an element");
            Py_CLEAR(out);
            goto done;
        }
        PyObject *cue = dl_cue(&d, key);
        if (cue == NULL) { Py_CLEAR(out); goto done; }
        if (cue == Py_None) {
            PyObject *tag = PyList_GET_ITEM(d.tag, key);
            Py_ssize_t up = (Py_ssize_t)d.parent[key];
            if ((str_eq(tag, "a", 1) || str_eq(tag, "area", 4)) && up >= 0 &&
                d.hidden[key] == d.hidden[up])
                key = up; /* links without a cue of their own share the answer */
        }
        Py_DECREF(cue);
        if (d.answers[key] == NULL) {
            d.answers[key] = dl_explain(&d, key);
            if (d.answers[key] == NULL) { Py_CLEAR(out); goto done; }
        }
        PyList_SET_ITEM(out, i, Py_NewRef(d.answers[key]));
    }
done:
    if (d.paths != NULL)
        for (Py_ssize_t k = 0; k < d.n; k++) Py_XDECREF(d.paths[k].cue);
    if (d.answers != NULL)
        for (Py_ssize_t k = 0; k <= d.n; k++) Py_XDECREF(d.answers[k]);
    PyMem_Free(d.in_main);
    PyMem_Free(d.paths);
    PyMem_Free(d.answers);
    PyMem_Free(d.chain);
    while (got > 0) PyBuffer_Release(&views[--got]);
    return out;
}

/* ---- Names.describe's common cases (linkspider.regions.names) ----------------------
 *
 * describer(owner, fallback, tag, cls, ident, role, itemprop, cues, weights, unlikelies,
 * main_named, tags, class_facts, pair_facts) -> a function of one element index that does
 * what Names.describe(owner(), key) does, in C for the two cases that make most calls: an
 * element without class, id or role (its cue is its tag's), and one with class/id names
 * already read (their facts in class_facts or pair_facts), no role, no itemprop, no side
 * column.  Anything else (and any unexpected type) is handed to fallback(owner(), key):
 * Names.describe itself, the reference the tests hold this to.  owner is a weak reference,
 * so that the Names does not hold itself through this function. */
typedef struct {
    PyObject_HEAD
    PyObject *owner, *fallback, *tag, *cls, *ident, *role, *itemprop, *cues, *weights,
        *unlikelies, *main_named, *tags, *class_facts, *pair_facts;
} describer_t;

static void describer_dealloc(describer_t *d) {
    Py_XDECREF(d->owner); Py_XDECREF(d->fallback); Py_XDECREF(d->tag); Py_XDECREF(d->cls);
    Py_XDECREF(d->ident); Py_XDECREF(d->role); Py_XDECREF(d->itemprop); Py_XDECREF(d->cues);
    Py_XDECREF(d->weights); Py_XDECREF(d->unlikelies); Py_XDECREF(d->main_named);
    Py_XDECREF(d->tags); Py_XDECREF(d->class_facts); Py_XDECREF(d->pair_facts);
    PyObject_Free(d);
}

static PyTypeObject describer_type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "linkspider._dom.Describer",
    .tp_basicsize = sizeof(describer_t),
    .tp_dealloc = (destructor)describer_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
};

static inline int describer_truthy(PyObject *v) { /* a str or None: 1 non-empty, 0 empty; -1 other */
    if (v == Py_None) return 0;
    if (PyUnicode_Check(v)) return PyUnicode_GET_LENGTH(v) > 0;
    return -1;
}

static PyObject *describer_slow(describer_t *d, PyObject *key) {
    PyObject *owner;
#if PY_VERSION_HEX >= 0x030D0000
    if (PyWeakref_GetRef(d->owner, &owner) < 0) return NULL;
#else
    owner = PyWeakref_GetObject(d->owner); /* borrowed */
    if (owner == NULL) return NULL;
    if (owner == Py_None) owner = NULL;
    else Py_INCREF(owner);
#endif
    if (owner == NULL) {
        PyErr_SetString(PyExc_ReferenceError, "the Names of this describer is gone");
        return NULL;
    }
    PyObject *args[2] = {owner, key};
    PyObject *r = PyObject_Vectorcall(d->fallback, args, 2, NULL);
    Py_DECREF(owner);
    return r;
}

static int describer_set(PyObject *list, Py_ssize_t k, PyObject *v) {
    Py_INCREF(v);
    return PyList_SetItem(list, k, v);
}

static PyObject *describe_fast(PyObject *self, PyObject *key) {
    describer_t *d = (describer_t *)self;
    if (!PyLong_CheckExact(key)) return describer_slow(d, key);
    Py_ssize_t k = PyLong_AsSsize_t(key);
    if (k == -1 && PyErr_Occurred()) { PyErr_Clear(); return describer_slow(d, key); }
    Py_ssize_t n = PyList_GET_SIZE(d->tag);
    if (k < 0 || k >= n || PyList_GET_SIZE(d->cls) != n || PyList_GET_SIZE(d->ident) != n
        || PyList_GET_SIZE(d->role) != n || PyList_GET_SIZE(d->cues) != n
        || PyList_GET_SIZE(d->weights) != n || PyList_GET_SIZE(d->unlikelies) != n)
        return describer_slow(d, key);
    PyObject *tag = PyList_GET_ITEM(d->tag, k);
    PyObject *cls = PyList_GET_ITEM(d->cls, k), *ident = PyList_GET_ITEM(d->ident, k);
    int has_cls = describer_truthy(cls), has_ident = describer_truthy(ident);
    int has_role = describer_truthy(PyList_GET_ITEM(d->role, k));
    if (has_cls < 0 || has_ident < 0 || has_role < 0 || !PyUnicode_Check(tag))
        return describer_slow(d, key);
    PyObject *cue = PyDict_GetItemWithError(d->tags, tag); /* borrowed */
    if (cue == NULL && PyErr_Occurred()) return NULL;
    if (cue == NULL) cue = Py_None;
    if (!has_cls && !has_ident && !has_role) {
        if (describer_set(d->cues, k, cue) < 0) return NULL;
        Py_INCREF(cue);
        return cue;
    }
    if (has_role || str_eq(tag, "html", 4) || str_eq(tag, "body", 4))
        return describer_slow(d, key);
    int in_itemprop = PyDict_Contains(d->itemprop, key);
    if (in_itemprop != 0) {
        if (in_itemprop < 0) return NULL;
        return describer_slow(d, key);
    }
    PyObject *facts;
    if (has_ident) {
        PyObject *names = PyTuple_Pack(2, has_cls ? cls : empty_str, ident);
        if (names == NULL) return NULL;
        facts = PyDict_GetItemWithError(d->pair_facts, names);
        Py_DECREF(names);
    } else {
        facts = PyDict_GetItemWithError(d->class_facts, cls);
    }
    if (facts == NULL) {
        if (PyErr_Occurred()) return NULL;
        return describer_slow(d, key); /* names not read yet */
    }
    if (!PyTuple_CheckExact(facts) || PyTuple_GET_SIZE(facts) != 4)
        return describer_slow(d, key);
    int column = PyObject_IsTrue(PyTuple_GET_ITEM(facts, 3));
    if (column != 0) return column < 0 ? NULL : describer_slow(d, key);
    int unlikely = PyObject_IsTrue(PyTuple_GET_ITEM(facts, 2));
    if (unlikely < 0) return NULL;
    if (unlikely)
        unlikely = !(str_eq(tag, "a", 1) || str_eq(tag, "body", 4) || str_eq(tag, "article", 7)
                     || str_eq(tag, "main", 4));
    /* every check done: now the writes, as Names.describe makes them */
    if (describer_set(d->weights, k, PyTuple_GET_ITEM(facts, 1)) < 0) return NULL;
    if (cue == Py_None) {
        cue = PyTuple_GET_ITEM(facts, 0);
        if (str_eq(cue, "main", 4) && PyList_Append(d->main_named, key) < 0) return NULL;
    }
    if (describer_set(d->unlikelies, k, unlikely ? Py_True : Py_False) < 0) return NULL;
    if (describer_set(d->cues, k, cue) < 0) return NULL;
    Py_INCREF(cue);
    return cue;
}

static PyMethodDef describe_fast_def = {
    "describe", describe_fast, METH_O,
    "describe(key) -> cue: Names.describe(key) (see linkspider._dom.describer)"};

static PyObject *describer(PyObject *self, PyObject *args) {
    describer_t *d = PyObject_New(describer_t, &describer_type);
    if (d == NULL) return NULL;
    d->owner = d->fallback = d->tag = d->cls = d->ident = d->role = d->itemprop = d->cues = NULL;
    d->weights = d->unlikelies = d->main_named = d->tags = d->class_facts = d->pair_facts = NULL;
    if (!PyArg_ParseTuple(args, "OOO!O!O!O!O!O!O!O!O!O!O!O!:describer",
                          &d->owner, &d->fallback, &PyList_Type, &d->tag,
                          &PyList_Type, &d->cls, &PyList_Type, &d->ident, &PyList_Type, &d->role,
                          &PyDict_Type, &d->itemprop, &PyList_Type, &d->cues, &PyList_Type,
                          &d->weights, &PyList_Type, &d->unlikelies, &PyList_Type, &d->main_named,
                          &PyDict_Type, &d->tags, &PyDict_Type, &d->class_facts, &PyDict_Type,
                          &d->pair_facts)) {
        d->owner = d->fallback = d->tag = d->cls = d->ident = d->role = d->itemprop = NULL;
        d->cues = d->weights = d->unlikelies = d->main_named = d->tags = NULL;
        d->class_facts = d->pair_facts = NULL;
        Py_DECREF(d);
        return NULL;
    }
    if (!PyWeakref_CheckRef(d->owner)) {
        d->owner = d->fallback = d->tag = d->cls = d->ident = d->role = d->itemprop = NULL;
        d->cues = d->weights = d->unlikelies = d->main_named = d->tags = NULL;
        d->class_facts = d->pair_facts = NULL;
        Py_DECREF(d);
        PyErr_SetString(PyExc_TypeError, "describer: owner must be a weak reference");
        return NULL;
    }
    Py_INCREF(d->owner); Py_INCREF(d->fallback); Py_INCREF(d->tag); Py_INCREF(d->cls);
    Py_INCREF(d->ident); Py_INCREF(d->role); Py_INCREF(d->itemprop); Py_INCREF(d->cues);
    Py_INCREF(d->weights); Py_INCREF(d->unlikelies); Py_INCREF(d->main_named);
    Py_INCREF(d->tags); Py_INCREF(d->class_facts); Py_INCREF(d->pair_facts);
    PyObject *f = PyCFunction_New(&describe_fast_def, (PyObject *)d);
    Py_DECREF(d);
    return f;
}

static PyMethodDef methods[] = {
    {"bind", bind, METH_VARARGS,
     "bind(module_path, node_type): look up Lexbor's API in the loaded selectolax module."},
    {"probe", probe, METH_O,
     "probe(node) -> [(type, tag_id, text, ns), ...] or None: verify the two struct reads on a "
     "reference tree (see the module comment)."},
    {"configure", configure, METH_VARARGS,
     "configure({tag_id: (name, flags)}, html_ns, svg_ns): enable walk()."},
    {"bound_markup", bound_markup, METH_VARARGS,
     "bound_markup(data, max_depth, max_attrs, drop_raw[, max_formatting[, max_options[, "
     "max_names]]]) -> (bytes, cut) or None: data with start tags nested deeper than max_depth, "
     "attributes past the first max_attrs of an element, formatting start tags past "
     "max_formatting active ones, options of a select past max_options, and tags and "
     "attributes of new names past max_names distinct ones left out (cut), and with drop_raw "
     "the text of scripts and styles (None when nothing is; see the comment above it)."},
    {"visible_text", visible_text, METH_VARARGS,
     "visible_text(node, indices, cap) -> str: the text of the subtrees of the elements at "
     "`indices` (walk()'s numbering, ascending, not nested), without script, style, noscript "
     "and template text, a space before each element that is not phrasing content, at most "
     "cap bytes of UTF-8."},
    {"decide_links", decide_links, METH_VARARGS,
     "decide_links(links, parent, hidden, ink, gaps, end, tag, prefix, cues, unset, describe, "
     "main, outer, cleaned, absorbed, inside, declares_main) -> [(region, path, density), ...]: "
     "each link's "
     "region decision (see the comment above its code)"},
    {"describer", describer, METH_VARARGS,
     "describer(owner, fallback, tag, cls, ident, role, itemprop, cues, weights, unlikelies, "
     "main_named, tags, class_facts, pair_facts) -> describe(key): Names.describe in C for "
     "its common cases (see the comment above its code)"},
    {"link_prefix", link_prefix, METH_VARARGS,
     "link_prefix(refs, ink, gaps, n) -> [float]: prefix sums of the (weighted) link text of "
     "every HTML <a> over element indices (see linkspider.regions.density)."},
    {"main_block_attempt", main_block_attempt, METH_VARARGS,
     "main_block_attempt(blocks, parent, end, children, ink, gaps, tag, cls, period, prefix, "
     "tag_score, roots, cues, unset, describe, weights, use_weights) -> [element, ...] or None: "
     "one of Readability's attempts at the main block (see linkspider.regions.main_block)."},
    {"mentions", mentions, METH_VARARGS,
     "mentions(name, words) -> bool or None: does name contain one of the strs in the tuple "
     "words (None when one has no UTF-8 form)?"},
    {"positions", positions, METH_VARARGS,
     "positions(column, value) -> [index, ...]: where the list holds an item == value."},
    {"term_counts", term_counts, METH_VARARGS,
     "term_counts(folded, stop_words) -> {term: count} or None: the maximal runs of word "
     "characters (re's \\w) of at least two code points, not all digits, not stop words, of "
     "a lowercased text; None when it holds Thai, kana or CJK (see the comment above it)."},
    {"top_terms", top_terms, METH_VARARGS,
     "top_terms(folded, stop_words, k) -> [(term, count), ...] or None: the k most frequent "
     "of term_counts' terms, ties in code point order (topics.heaviest), or None as "
     "term_counts."},
    {"text_blocks", text_blocks, METH_VARARGS,
     "text_blocks(tag, ink, commas, gaps, phrasing_ink, phrasing_commas, min_text) -> "
     "[(element, score), ...]: Readability's text blocks (see linkspider.regions.main_block)."},
    {"walk", walk, METH_VARARGS,
     "walk(node, link_cap=512, title_cap=1024) -> 22 columns, one item per element of the subtree at `node` (a selectolax "
     "node), in document order. As int64 bytes: parent, end, ink, commas, own_ink, own_commas, "
     "children, p, img, list_ink, phrasing_ink, phrasing_commas, hidden, gaps; as lists: tag, "
     "ends_with_period, class, id, role, lead; itemprop: a dict {index: value} of the elements "
     "that have one; last, refs: (index, tag, href, rel, title, alt, "
     "content, name, http-equiv, text, img_alt) for every HTML a, area, link, meta, base and "
     "title element and every SVG a; text is \" \".join(raw[:8 * cap + 1024].split())[:cap] of "
     "the element's text, cap = link_cap for a, title_cap for title."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "linkspider._dom",
    "One C-speed pass over a selectolax (Lexbor) DOM for the region model and the extraction.",
    -1, methods,
};

PyMODINIT_FUNC PyInit__dom(void) {
    empty_str = PyUnicode_InternFromString("");
    if (empty_str == NULL) return NULL;
    if (PyType_Ready(&describer_type) < 0) return NULL;
    static const char *words[7] = {"body", "hidden", "cue_in_block", "cue", "cue_no_block",
                                   "main", "markup_main"};
    for (int i = 0; i < 7; i++)
        if ((dl_str[i] = PyUnicode_InternFromString(words[i])) == NULL) return NULL;
    return PyModule_Create(&module);
}
