/* linkspider._dom: one C-speed pass over a Lexbor DOM that selectolax parsed.
 *
 * The region model (linkspider/regions.py) needs, for every element of a page,
 * its parent, its tag, its class/id/role names and a few text measures of its
 * subtree.  Asking selectolax for each of these costs a Python call per element
 * and a subtree walk per text measure; this module reads them all in one walk
 * of the tree selectolax already built, and returns plain Python lists.
 *
 * The tree is reached through the address selectolax exposes as `Node.mem_id`.
 * The struct layouts below are copied from the Lexbor release that selectolax
 * vendors (Lexbor 3.1.0 in selectolax 1.0.x, Apache License 2.0, (C) Alexander
 * Borisov).  linkspider/dom.py checks them at import against selectolax's own
 * answers on a reference page and falls back to a pure-Python walk when they
 * disagree, so a selectolax upgrade that changes the layout costs speed, not
 * correctness.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

typedef struct { unsigned char *data; size_t length; } lx_str;

typedef struct lx_node lx_node;
struct lx_node {
    void *events;
    uintptr_t local_name;
    uintptr_t prefix;
    uintptr_t ns;
    void *owner_document;
    lx_node *next;
    lx_node *prev;
    lx_node *parent;
    lx_node *first_child;
    lx_node *last_child;
    void *user;
    int type; /* lxb_dom_node_type_t */
};

typedef struct lx_attr lx_attr;
struct lx_attr {
    lx_node node;
    uintptr_t upper_name;
    uintptr_t qualified_name;
    lx_str *value;
    void *owner;
    lx_attr *next;
    lx_attr *prev;
};

typedef struct {
    lx_node node;
    uintptr_t upper_name;
    uintptr_t qualified_name;
    lx_str *is_value;
    lx_attr *first_attr;
    lx_attr *last_attr;
    lx_attr *attr_id;
    lx_attr *attr_class;
} lx_element;

typedef struct { lx_node node; lx_str data; } lx_chardata;

typedef struct {
    union { unsigned char *long_str; unsigned char short_str[17]; } u;
    size_t length;
    void *next;
} lx_hash_entry;

typedef struct { lx_hash_entry entry; uintptr_t attr_id; } lx_attr_data;

#define NODE_ELEMENT 1
#define NODE_TEXT 3
#define ATTR_LAST_ENTRY 0x0049

/* Tags the region model tells apart; every other element is "". */
static const struct { uintptr_t id; const char *name; } TAGS[] = {
    {0x0066, "html"}, {0x0020, "body"}, {0x0062, "head"}, {0x0007, "a"}, {0x0013, "area"},
    {0x0092, "p"}, {0x0097, "pre"}, {0x00b5, "td"}, {0x00ba, "th"}, {0x001f, "blockquote"},
    {0x0034, "div"}, {0x0072, "li"}, {0x00a4, "section"}, {0x0014, "article"},
    {0x0076, "main"}, {0x0063, "header"}, {0x0087, "nav"}, {0x0015, "aside"},
    {0x0056, "footer"}, {0x007c, "menu"}, {0x00c2, "ul"}, {0x008e, "ol"}, {0x0035, "dl"},
    {0x002d, "dd"}, {0x0036, "dt"}, {0x0058, "form"}, {0x0052, "fieldset"}, {0x005c, "h1"},
    {0x005d, "h2"}, {0x005e, "h3"}, {0x005f, "h4"}, {0x0060, "h5"}, {0x0061, "h6"},
    {0x000a, "address"}, {0x00b3, "table"}, {0x0028, "code"}, {0x006a, "img"},
    {0x00a2, "script"}, {0x00ae, "style"}, {0x008c, "noscript"}, {0x00ab, "span"},
    {0x00be, "tr"}, {0x00b4, "tbody"}, {0x0054, "figure"}, {0x0068, "iframe"},
    {0x00b6, "template"}, {0x00b2, "svg"}, {0x0074, "link"}, {0x007d, "meta"},
    {0x0018, "base"}, {0x00bd, "title"},
};
#define N_TAGS (sizeof(TAGS) / sizeof(TAGS[0]))
#define MAX_TAG_ID 0x100
static PyObject *tag_names[MAX_TAG_ID]; /* id -> interned str, NULL: not told apart */
static PyObject *empty_str;

enum {
    TAG_P = 0x0092, TAG_IMG = 0x006a, TAG_UL = 0x00c2, TAG_OL = 0x008e,
    TAG_SCRIPT = 0x00a2, TAG_STYLE = 0x00ae, TAG_NOSCRIPT = 0x008c, TAG_TEMPLATE = 0x00b6,
    TAG_A = 0x0007, TAG_AREA = 0x0013, TAG_LINK = 0x0074, TAG_META = 0x007d, TAG_BASE = 0x0018,
    TAG_TITLE = 0x00bd,
};

/* Per element, in document (pre-)order. */
typedef struct {
    lx_node *node;
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
    int block_inside;     /* has a descendant that is block content (DIV_TO_P) */
    uint32_t last;        /* last non-whitespace character of the subtree's text, 0: none */
    int hidden;           /* inside <script>, <style>, <noscript> or <template>: no text */
} elem_t;

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

/* Measures of one UTF-8 text: ink (characters other than space, \n, \t, \r
 * and U+00A0, as linkspider.dom.ink counts them), commas (',' and U+FF0C),
 * and the last character that is not whitespace (0 when none).  Characters are
 * counted as Python decodes the bytes (ill-formed ones count as U+FFFD). */
static void measure(const unsigned char *s, size_t n, Py_ssize_t *ink, Py_ssize_t *commas,
                    uint32_t *last) {
    /* ASCII text (the common case): branch-free counts, then the tail. */
    Py_ssize_t k = 0, c = 0;
    unsigned char high = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char b = s[i];
        high |= b;
        k += b != ' ' && b != '\n' && b != '\t' && b != '\r';
        c += b == ',';
    }
    if (!(high & 0x80)) {
        *ink += k;
        *commas += c;
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
    uint32_t tail = 0;
    size_t i = 0;
    while (i < n) {
        unsigned char b = s[i];
        if (b < 0x80) {
            i++;
            if (b == ' ' || b == '\n' || b == '\t' || b == '\r') continue;
            k++;
            if (b == ',') c++;
            if (!(b == 0x0b || b == 0x0c || (b >= 0x1c && b <= 0x1f))) tail = b;
            continue;
        }
        uint32_t cp;
        i += decode_next(s, i, n, &cp);
        if (cp != 0xa0) k++;
        if (cp == 0xff0c) c++;
        if (!is_space(cp)) tail = cp;
    }
    *ink += k;
    *commas += c;
    if (tail) *last = tail;
}

static PyObject *str_or_none(lx_str *s) {
    if (s == NULL || s->data == NULL) Py_RETURN_NONE;
    return PyUnicode_DecodeUTF8((const char *)s->data, (Py_ssize_t)s->length, "replace");
}

enum {
    ATTR_ALT = 0x0006, ATTR_CONTENT = 0x0010, ATTR_HREF = 0x001d, ATTR_HTTP_EQUIV = 0x0020,
    ATTR_REL = 0x0032, ATTR_TITLE = 0x0042,
};
/* Attribute slots the extraction reads; "present" is a separate flag because a
 * valueless attribute has no string. */
enum { A_HREF, A_REL, A_TITLE, A_ALT, A_CONTENT, A_NAME, A_HTTP_EQUIV, A_ROLE, N_ATTRS };

typedef struct { lx_str *value[N_ATTRS]; char present[N_ATTRS]; } attrs_t;

static void set_slot(attrs_t *out, int slot, lx_attr *a) {
    if (!out->present[slot]) { out->present[slot] = 1; out->value[slot] = a->value; }
}

/* One pass over an element's attributes (the first of duplicates wins, as the
 * HTML parser keeps it; prefixed names such as xlink:href are not read). */
static void read_attrs(lx_element *el, attrs_t *out) {
    memset(out, 0, sizeof(*out));
    for (lx_attr *a = el->first_attr; a != NULL; a = a->next) {
        if (a->node.prefix != 0) continue;
        uintptr_t id = a->node.local_name;
        switch (id) {
            case ATTR_HREF: set_slot(out, A_HREF, a); break;
            case ATTR_REL: set_slot(out, A_REL, a); break;
            case ATTR_TITLE: set_slot(out, A_TITLE, a); break;
            case ATTR_ALT: set_slot(out, A_ALT, a); break;
            case ATTR_CONTENT: set_slot(out, A_CONTENT, a); break;
            case ATTR_HTTP_EQUIV: set_slot(out, A_HTTP_EQUIV, a); break;
            default:
                if (id > ATTR_LAST_ENTRY) {
                    lx_attr_data *d = (lx_attr_data *)id;
                    if (d->entry.length == 4 && memcmp(d->entry.u.short_str, "role", 4) == 0)
                        set_slot(out, A_ROLE, a);
                    else if (d->entry.length == 4 && memcmp(d->entry.u.short_str, "name", 4) == 0)
                        set_slot(out, A_NAME, a);
                }
        }
    }
}

/* An attribute's value; None when absent or valueless (as selectolax reads it). */
static PyObject *slot_str(attrs_t *at, int slot) {
    if (!at->present[slot]) Py_RETURN_NONE;
    return str_or_none(at->value[slot]);
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

/* Append text with whitespace collapsed as " ".join(text.split()) does: runs
 * of whitespace (str.isspace) become one space between words, none at the
 * ends; `space` carries a pending separator from one text node to the next. */
static int buf_add_words(buf_t *b, const unsigned char *s, size_t n, int *space) {
    size_t i = 0, run = 0;
    while (i <= n) {
        uint32_t cp = ' ';
        size_t k = 1;
        if (i < n) {
            unsigned char c = s[i];
            if (c < 0x80) {  /* ASCII: the common case */
                if (!(c == ' ' || (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x1f))) {
                    i++;
                    continue;
                }
            }
            else k = decode_next(s, i, n, &cp);
        }
        if (i == n || is_space(cp)) {
            if (i > run) {
                if (*space && b->len && buf_add(b, (const unsigned char *)" ", 1) < 0) return -1;
                if (buf_add(b, s + run, i - run) < 0) return -1;
                *space = 0;
            }
            if (i < n) *space = 1;
            run = i + k;
        }
        i += k;
    }
    return 0;
}

/* The text of a link, whitespace collapsed (all its text nodes, as
 * " ".join(node.text().split()) gives it), and the alt of its first <img>:
 * (text, None) without an image, (text, alt or "") with. */
static PyObject *link_text(lx_node *a, buf_t *b) {
    b->len = 0;
    int space = 0;
    lx_node *img = NULL;
    lx_node *node = a->first_child;
    while (node != NULL) {
        if (node->type == NODE_TEXT) {
            lx_str *s = &((lx_chardata *)node)->data;
            if (s->data != NULL && s->length && buf_add_words(b, s->data, s->length, &space) < 0)
                return NULL;
        }
        else if (node->type == NODE_ELEMENT && img == NULL && node->local_name == TAG_IMG) {
            img = node;
        }
        if (node->first_child != NULL) { node = node->first_child; continue; }
        while (node != a && node->next == NULL) node = node->parent;
        if (node == a) break;
        node = node->next;
    }
    PyObject *text = PyUnicode_DecodeUTF8(b->data ? b->data : "", (Py_ssize_t)b->len, "replace");
    if (text == NULL) return NULL;
    PyObject *alt;
    if (img == NULL) { alt = Py_None; Py_INCREF(alt); }
    else {
        attrs_t at;
        read_attrs((lx_element *)img, &at);
        alt = slot_str(&at, A_ALT);
        if (alt == Py_None) { Py_DECREF(alt); alt = PyUnicode_FromStringAndSize("", 0); }
        if (alt == NULL) { Py_DECREF(text); return NULL; }
    }
    PyObject *pair = PyTuple_Pack(2, text, alt);
    Py_DECREF(text);
    Py_DECREF(alt);
    return pair;
}

static int is_ref_tag(uintptr_t tag) {
    return tag == TAG_A || tag == TAG_AREA || tag == TAG_LINK || tag == TAG_META ||
           tag == TAG_BASE || tag == TAG_TITLE;
}

/* (index, tag, href, rel, title, alt, content, name, http-equiv, text, img_alt) */
static PyObject *ref_tuple(Py_ssize_t i, PyObject *name, lx_node *node, attrs_t *at, buf_t *b) {
    PyObject *text = Py_None, *img_alt = Py_None, *pair = NULL;
    if (node->local_name == TAG_A || node->local_name == TAG_TITLE) {
        pair = link_text(node, b);
        if (pair == NULL) return NULL;
        text = PyTuple_GET_ITEM(pair, 0);
        img_alt = PyTuple_GET_ITEM(pair, 1);
    }
    PyObject *items[11] = {
        PyLong_FromSsize_t(i), name, slot_str(at, A_HREF), slot_str(at, A_REL),
        slot_str(at, A_TITLE), slot_str(at, A_ALT), slot_str(at, A_CONTENT), slot_str(at, A_NAME),
        slot_str(at, A_HTTP_EQUIV), text, img_alt,
    };
    Py_INCREF(name);
    Py_INCREF(text);
    Py_INCREF(img_alt);
    PyObject *out = PyTuple_New(11);
    for (int k = 0; k < 11; k++) {
        if (items[k] == NULL || out == NULL) {
            for (int j = 0; j < 11; j++) Py_XDECREF(items[j]);
            Py_XDECREF(out);
            Py_XDECREF(pair);
            return NULL;
        }
    }
    for (int k = 0; k < 11; k++) PyTuple_SET_ITEM(out, k, items[k]);
    Py_XDECREF(pair);
    return out;
}

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

/* Readability's DIV_TO_P_ELEMS: block content that keeps a <div> from being a paragraph. */
static int is_div_to_p(uintptr_t t) {
    return t == 0x001f || t == 0x0035 || t == 0x0034 || t == 0x006a || t == 0x008e ||
           t == 0x0092 || t == 0x0097 || t == 0x00b3 || t == 0x00c2;
}

/* Elements whose text is not a phrasing run of their parent (linkspider.dom.NOT_PHRASING):
 * td li section article main h1-h6 header footer nav aside form. */
static int not_phrasing(uintptr_t t) {
    return t == 0x00b5 || t == 0x0072 || t == 0x00a4 || t == 0x0014 || t == 0x0076 ||
           (t >= 0x005c && t <= 0x0061) || t == 0x0063 || t == 0x0056 || t == 0x0087 ||
           t == 0x0015 || t == 0x0058;
}

/* Close element i: its measures join its parent's. */
static void close_elem(elem_t *e, Py_ssize_t i, Py_ssize_t end) {
    elem_t *x = &e[i];
    x->end = end;
    if (x->parent < 0) return;
    elem_t *up = &e[x->parent];
    uintptr_t tag = x->node->local_name;
    up->ink += x->ink;
    up->commas += x->commas;
    up->children += 1;
    up->p += x->p + (tag == TAG_P);
    up->img += x->img + (tag == TAG_IMG);
    up->list_ink += x->list_ink + ((tag == TAG_UL || tag == TAG_OL) ? x->ink : 0);
    int block = is_div_to_p(tag);
    if (block || x->block_inside) up->block_inside = 1;
    else if (!not_phrasing(tag)) {
        up->phrasing_ink += x->ink;
        up->phrasing_commas += x->commas;
    }
    if (x->last) up->last = x->last;
}

#define N_FIELDS 19
#define N_NUMERIC 13

static PyObject *walk(PyObject *self, PyObject *arg) {
    (void)self;
    uintptr_t address = (uintptr_t)PyLong_AsVoidPtr(arg);
    if (address == 0) {
        if (!PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "null node address");
        return NULL;
    }
    lx_node *root = (lx_node *)address;
    if (root->type != NODE_ELEMENT) {
        PyErr_SetString(PyExc_ValueError, "walk() starts at an element");
        return NULL;
    }
    elem_t *e = NULL;
    Py_ssize_t n = 0, cap = 0;
    Py_ssize_t stack_top = -1; /* index of the innermost open element */

    lx_node *node = root;
    while (node != NULL) {
        int descend = 0;
        if (node->type == NODE_ELEMENT) {
            if (grow(&e, &cap, n + 1) < 0) { PyMem_Free(e); return NULL; }
            elem_t *x = &e[n];
            memset(x, 0, sizeof(*x));
            x->node = node;
            x->parent = stack_top;
            uintptr_t t = node->local_name;
            x->hidden = (stack_top >= 0 && e[stack_top].hidden) || t == TAG_SCRIPT ||
                        t == TAG_STYLE || t == TAG_NOSCRIPT || t == TAG_TEMPLATE;
            stack_top = n++;
            descend = node->first_child != NULL;
            if (!descend) { close_elem(e, stack_top, n); stack_top = e[stack_top].parent; }
        }
        else if (node->type == NODE_TEXT && stack_top >= 0 && !e[stack_top].hidden) {
            lx_str *s = &((lx_chardata *)node)->data;
            if (s->data != NULL && s->length) {
                elem_t *x = &e[stack_top];
                Py_ssize_t ink = 0, commas = 0;
                uint32_t last = 0;
                measure(s->data, s->length, &ink, &commas, &last);
                x->ink += ink;
                x->commas += commas;
                x->own_ink += ink;
                x->own_commas += commas;
                if (last) x->last = last;
            }
        }
        if (descend) { node = node->first_child; continue; }
        /* next node in document order, closing the elements we climb out of */
        while (node != root && node->next == NULL) {
            node = node->parent;
            if (node == NULL) break;
            if (stack_top >= 0 && e[stack_top].node == node) {
                close_elem(e, stack_top, n);
                stack_top = e[stack_top].parent;
            }
        }
        if (node == NULL || node == root) break;
        node = node->next;
    }
    while (stack_top >= 0) { close_elem(e, stack_top, n); stack_top = e[stack_top].parent; }

    /* Numbers go out as one int64 buffer per column (Python reads them through
     * memoryview.cast("q"): no object per item until one is read); names and
     * flags as lists. */
    PyObject *out = PyTuple_New(N_FIELDS);
    if (out == NULL) { PyMem_Free(e); return NULL; }
    int64_t *cols[N_NUMERIC];
    buf_t text = {NULL, 0, 0};
    for (int f = 0; f < N_NUMERIC; f++) {
        PyObject *b = PyBytes_FromStringAndSize(NULL, n * (Py_ssize_t)sizeof(int64_t));
        if (b == NULL) { Py_DECREF(out); PyMem_Free(e); return NULL; }
        PyTuple_SET_ITEM(out, f, b);
        cols[f] = (int64_t *)PyBytes_AS_STRING(b);
    }
    for (int f = N_NUMERIC; f < N_FIELDS; f++) {
        PyObject *l = PyList_New(f == N_FIELDS - 1 ? 0 : n);
        if (l == NULL) { Py_DECREF(out); PyMem_Free(e); return NULL; }
        PyTuple_SET_ITEM(out, f, l);
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        elem_t *x = &e[i];
        int64_t nums[N_NUMERIC] = {
            (int64_t)(uintptr_t)x->node, x->parent, x->end, x->ink, x->commas, x->own_ink,
            x->own_commas, x->children, x->p, x->img, x->list_ink,
            x->phrasing_ink + x->own_ink, x->phrasing_commas + x->own_commas,
        };
        for (int f = 0; f < N_NUMERIC; f++) cols[f][i] = nums[f];
        uintptr_t tag = x->node->local_name;
        PyObject *name = tag < MAX_TAG_ID && tag_names[tag] ? tag_names[tag] : empty_str;
        lx_element *el = (lx_element *)x->node;
        Py_INCREF(name);
        PyObject *period = PyBool_FromLong(x->last == '.');
        PyObject *cls = el->attr_class ? str_or_none(el->attr_class->value) : (Py_INCREF(Py_None), Py_None);
        PyObject *ident = el->attr_id ? str_or_none(el->attr_id->value) : (Py_INCREF(Py_None), Py_None);
        attrs_t at;
        read_attrs(el, &at);
        PyObject *role_str = slot_str(&at, A_ROLE);
        PyObject *objs[N_FIELDS - N_NUMERIC - 1] = {name, period, cls, ident, role_str};
        for (int f = N_NUMERIC; f < N_FIELDS - 1; f++) {
            PyObject *v = objs[f - N_NUMERIC];
            if (v == NULL) {
                for (int g = f + 1; g < N_FIELDS - 1; g++) Py_XDECREF(objs[g - N_NUMERIC]);
                goto fail;
            }
            PyList_SET_ITEM(PyTuple_GET_ITEM(out, f), i, v);
        }
        if (is_ref_tag(tag)) {
            PyObject *ref = ref_tuple(i, name, x->node, &at, &text);
            if (ref == NULL) goto fail;
            int rc = PyList_Append(PyTuple_GET_ITEM(out, N_FIELDS - 1), ref);
            Py_DECREF(ref);
            if (rc < 0) goto fail;
        }
    }
    PyMem_Free(e);
    PyMem_Free(text.data);
    return out;
fail:
    Py_DECREF(out);
    PyMem_Free(e);
    PyMem_Free(text.data);
    return NULL;
}

/* ---- URL resolution through ada's C API -------------------------------------
 *
 * ada-url's Python package wraps the same C functions with cffi, one Python call
 * and a few allocations per step; linkspider.urls hands their addresses to
 * use_ada() and resolves a page's hrefs here in one call. */

typedef void *ada_url;
typedef struct { const char *data; size_t length; } ada_string;
static ada_url (*ada_parse_with_base)(const char *, size_t, const char *, size_t);
static bool (*ada_is_valid)(ada_url);
static ada_string (*ada_get_href)(ada_url);
static ada_string (*ada_get_hostname)(ada_url);
static void (*ada_free)(ada_url);

static PyObject *use_ada(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *p[5];
    if (!PyArg_ParseTuple(args, "OOOOO", &p[0], &p[1], &p[2], &p[3], &p[4])) return NULL;
    void *f[5];
    for (int i = 0; i < 5; i++) {
        f[i] = PyLong_AsVoidPtr(p[i]);
        if (f[i] == NULL) {
            if (!PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "null function address");
            return NULL;
        }
    }
    ada_parse_with_base = (ada_url (*)(const char *, size_t, const char *, size_t))f[0];
    ada_is_valid = (bool (*)(ada_url))f[1];
    ada_get_href = (ada_string (*)(ada_url))f[2];
    ada_get_hostname = (ada_string (*)(ada_url))f[3];
    ada_free = (void (*)(ada_url))f[4];
    Py_RETURN_NONE;
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
        if (h.length >= 7 && memcmp(h.data, "http://", 7) == 0) start = 7;
        else if (h.length >= 8 && memcmp(h.data, "https://", 8) == 0) start = 8;
        if (start) {
            const char *hash = memchr(h.data, '#', h.length);
            size_t url_len = hash ? (size_t)(hash - h.data) : h.length;
            ada_string host = ada_get_hostname(url);
            out = Py_BuildValue(
                "(s#s#s#)", h.data, (Py_ssize_t)url_len, hash ? hash + 1 : "",
                (Py_ssize_t)(hash ? h.length - url_len - 1 : 0), host.data, (Py_ssize_t)host.length);
        }
    }
    ada_free(url);
    if (out == NULL && !PyErr_Occurred()) Py_RETURN_NONE;
    return out;
}

static PyObject *resolve_many(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *base_obj, *hrefs;
    if (!PyArg_ParseTuple(args, "UO!", &base_obj, &PyList_Type, &hrefs)) return NULL;
    if (ada_parse_with_base == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "use_ada() was not called");
        return NULL;
    }
    Py_ssize_t base_len;
    const char *base = PyUnicode_AsUTF8AndSize(base_obj, &base_len);
    if (base == NULL) return NULL;
    Py_ssize_t n = PyList_GET_SIZE(hrefs);
    PyObject *out = PyList_New(n);
    if (out == NULL) return NULL;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *href = PyList_GET_ITEM(hrefs, i);
        if (!PyUnicode_Check(href)) {
            Py_DECREF(out);
            PyErr_SetString(PyExc_TypeError, "hrefs must be str");
            return NULL;
        }
        PyObject *r = resolve_one(base, base_len, href);
        if (r == NULL) { Py_DECREF(out); return NULL; }
        PyList_SET_ITEM(out, i, r);
    }
    return out;
}

static PyMethodDef methods[] = {
    {"walk", walk, METH_O,
     "walk(address) -> 16 columns, one item per element of the subtree at `address` (a "
     "selectolax Node.mem_id), in document order. As int64 bytes: address, parent, end, ink, "
     "commas, own_ink, own_commas, children, p, img, list_ink, phrasing_ink, phrasing_commas; "
     "as lists: tag, ends_with_period, "
     "class, id, role; last, refs: (index, tag, href, rel, title, alt, content, name, "
     "http-equiv, text, img_alt) for every a, area, link, meta, base and title element."},
    {"use_ada", use_ada, METH_VARARGS,
     "use_ada(parse_with_base, is_valid, get_href, get_hostname, free): addresses of ada's C API."},
    {"resolve_many", resolve_many, METH_VARARGS,
     "resolve_many(base, hrefs) -> [(url_without_fragment, fragment, host) or None, ...] "
     "(WHATWG URL parsing by ada; None unless the result is a valid http(s) URL)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "linkspider._dom",
    "One C-speed pass over a selectolax (Lexbor) DOM for the region model.", -1, methods,
};

PyMODINIT_FUNC PyInit__dom(void) {
    empty_str = PyUnicode_InternFromString("");
    if (empty_str == NULL) return NULL;
    for (size_t i = 0; i < N_TAGS; i++) {
        tag_names[TAGS[i].id] = PyUnicode_InternFromString(TAGS[i].name);
        if (tag_names[TAGS[i].id] == NULL) return NULL;
    }
    return PyModule_Create(&module);
}
