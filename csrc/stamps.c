/* stamps.c: event times of a batch, from the clock's ts_getter to int64 microseconds.
 *
 * An EventClock's ts_getter returns an aware datetime per item; the window core
 * wants microseconds since the Unix epoch. Per item this calls the getter through
 * the CPython API, checks the answer is an aware datetime, and computes its UTC
 * microseconds exactly from the datetime's fields and its utcoffset() (no float on
 * the way, so every datetime converts exactly). The readable reference is
 * src/learnstream/engine/stamps_twin.py; stamps_c.py turns a failure into the
 * window step's error. Like chain.c, it takes the GIL itself (cffi releases it).
 */
#include <Python.h>
#include <datetime.h>

#include "ccore.h"

#define US_PER_SECOND 1000000LL
#define US_PER_DAY (86400LL * US_PER_SECOND)

/* Days from 1970-01-01 to the proleptic Gregorian date y-m-d (Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, int m, int d) {
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* Record [index, kind, what] in `failure` (a list); steals `what`. LS_OK, or
 * LS_ENOMEM when there was no memory left to record it with. */
static int fail(PyObject *failure, int64_t index, int kind, PyObject *what) {
    PyObject *row = Py_BuildValue("(LiO)", (long long)index, kind, what);
    Py_DECREF(what);
    int status = LS_OK;
    if (row == NULL || PyList_Append(failure, row) < 0) {
        PyErr_Clear();
        status = LS_ENOMEM;
    }
    Py_XDECREF(row);
    return status;
}

static PyObject *take_exception(void) {
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    if (tb != NULL && value != NULL) {
        PyException_SetTraceback(value, tb);
    }
    Py_XDECREF(type);
    Py_XDECREF(tb);
    if (value == NULL) {
        Py_INCREF(Py_None);
        value = Py_None;
    }
    return value;
}

/* The UTC microseconds of `dt`, an aware datetime; LS_STAMP_RAISED with the
 * exception pending when utcoffset() raised, LS_STAMP_NOT_AWARE when it is naive. */
static int utc_micros(PyObject *dt, int64_t *us) {
    PyObject *tz = PyDateTime_DATE_GET_TZINFO(dt);
    int64_t offset = 0;
    if (tz == Py_None) {
        return LS_STAMP_NOT_AWARE;
    }
    if (tz != PyDateTime_TimeZone_UTC) {
        PyObject *delta = PyObject_CallMethod(dt, "utcoffset", NULL);
        if (delta == NULL) {
            return LS_STAMP_RAISED;
        }
        if (!PyDelta_Check(delta)) { /* None: this zone calls the datetime naive */
            Py_DECREF(delta);
            return LS_STAMP_NOT_AWARE;
        }
        offset = PyDateTime_DELTA_GET_DAYS(delta) * US_PER_DAY +
                 PyDateTime_DELTA_GET_SECONDS(delta) * US_PER_SECOND +
                 PyDateTime_DELTA_GET_MICROSECONDS(delta);
        Py_DECREF(delta);
    }
    int64_t days = days_from_civil(PyDateTime_GET_YEAR(dt), PyDateTime_GET_MONTH(dt),
                                   PyDateTime_GET_DAY(dt));
    int64_t seconds = PyDateTime_DATE_GET_HOUR(dt) * 3600LL +
                      PyDateTime_DATE_GET_MINUTE(dt) * 60LL + PyDateTime_DATE_GET_SECOND(dt);
    *us = days * US_PER_DAY + seconds * US_PER_SECOND + PyDateTime_DATE_GET_MICROSECOND(dt) -
          offset;
    return LS_OK;
}

int ls_event_micros(void *values_p, void *getter, int64_t *out, void *failure_p) {
    PyObject *values = (PyObject *)values_p, *failure = (PyObject *)failure_p;
    PyGILState_STATE gil = PyGILState_Ensure();
    int result = LS_OK;
    if (PyDateTimeAPI == NULL) {
        PyDateTime_IMPORT;
        if (PyDateTimeAPI == NULL) {
            result = fail(failure, 0, LS_STAMP_RAISED, take_exception());
            goto done;
        }
    }
    Py_ssize_t n = PyList_GET_SIZE(values);
    for (Py_ssize_t i = 0; i < n && i < PyList_GET_SIZE(values); i++) {
        PyObject *stamp = PyObject_CallOneArg((PyObject *)getter, PyList_GET_ITEM(values, i));
        if (stamp == NULL) {
            result = fail(failure, i, LS_STAMP_RAISED, take_exception());
            goto done;
        }
        if (!PyDateTime_Check(stamp)) {
            result = fail(failure, i, LS_STAMP_NOT_AWARE, stamp);
            goto done;
        }
        int status = utc_micros(stamp, &out[i]);
        if (status == LS_OK && (out[i] < LS_MIN_US || out[i] > LS_MAX_US)) {
            status = LS_STAMP_OUT_OF_RANGE;
        }
        if (status == LS_STAMP_RAISED) {
            Py_DECREF(stamp);
            result = fail(failure, i, status, take_exception());
            goto done;
        }
        if (status != LS_OK) {
            result = fail(failure, i, status, stamp);
            goto done;
        }
        Py_DECREF(stamp);
    }
done:
    PyGILState_Release(gil);
    return result;
}
