/* chain.c: a chain of stateless steps (map, filter) over a batch, in one pass.
 *
 * The one place where the C core touches Python objects: per item, it calls each
 * stage's function through the CPython API, as the builtin map() and filter() do,
 * and keeps the item only while every filter answers exactly True. Nothing is
 * materialised between stages, so an item a filter drops is freed at once. The
 * readable reference is src/learnstream/engine/chain_twin.py; the Python side
 * (chain_c.py) turns a failure into the error of the right step.
 *
 * cffi releases the GIL around calls into C, so the function takes it back first.
 * Python objects cross as their addresses (`ffi.cast("void *", id(obj))`).
 */
#include <Python.h>

#include "ccore.h"

/* Store the failure for Python: [index, stage, the item the stage was given, the
 * exception or the non-bool answer, whether it was raised]. Steals `what`.
 * LS_OK, or LS_ENOMEM when there was no memory left to record it with. */
static int fail(PyObject *failure, int64_t index, int64_t stage, PyObject *item, PyObject *what,
                int raised) {
    PyObject *row = Py_BuildValue("(LLOOO)", (long long)index, (long long)stage, item, what,
                                  raised ? Py_True : Py_False);
    Py_DECREF(what);
    int status = LS_OK;
    if (row == NULL || PyList_Append(failure, row) < 0) {
        PyErr_Clear();
        status = LS_ENOMEM;
    }
    Py_XDECREF(row);
    return status;
}

/* The pending exception, normalised, with its traceback attached (new reference). */
static PyObject *take_exception(void) {
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    if (tb != NULL && value != NULL) {
        PyException_SetTraceback(value, tb);
    }
    Py_XDECREF(type);
    Py_XDECREF(tb);
    if (value == NULL) { /* cannot happen for a raised exception; keep the caller honest */
        Py_INCREF(Py_None);
        value = Py_None;
    }
    return value;
}

int ls_chain_run(void *items_p, void *fns_p, const int8_t *kinds, int64_t n_stages,
                     void *out_p, void *failure_p) {
    PyObject *items = (PyObject *)items_p, *fns = (PyObject *)fns_p;
    PyObject *out = (PyObject *)out_p, *failure = (PyObject *)failure_p;
    PyGILState_STATE gil = PyGILState_Ensure();
    int result = LS_OK;
    /* The size is read again each time: a learner's function may change the list. */
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(items); i++) {
        PyObject *item = PyList_GET_ITEM(items, i);
        Py_INCREF(item);
        for (int64_t s = 0; s < n_stages && item != NULL; s++) {
            PyObject *answer = PyObject_CallOneArg(PyTuple_GET_ITEM(fns, s), item);
            if (answer == NULL) {
                result = fail(failure, i, s, item, take_exception(), 1);
                Py_DECREF(item);
                goto done;
            }
            if (kinds[s] == LS_MAP) {
                Py_DECREF(item);
                item = answer;
            } else if (answer == Py_True) {
                Py_DECREF(answer);
            } else if (answer == Py_False) {
                Py_DECREF(answer);
                Py_DECREF(item);
                item = NULL;
            } else {
                result = fail(failure, i, s, item, answer, 0);
                Py_DECREF(item);
                goto done;
            }
        }
        if (item != NULL) {
            int appended = PyList_Append(out, item);
            Py_DECREF(item);
            if (appended < 0) { /* MemoryError: not any step's fault */
                result = fail(failure, i, -1, Py_None, take_exception(), 1);
                goto done;
            }
        }
    }
done:
    PyGILState_Release(gil);
    return result;
}
