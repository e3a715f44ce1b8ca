"""Logging and tracing configuration, as Bytewax's `bytewax.tracing` spells it, done locally.

Bytewax's runtime sends its spans to Jaeger or to an OpenTelemetry collector.
learnstream runs in one process and sends nothing anywhere: `setup_tracing`
accepts the same arguments and the same configs, and *logs* learnstream's spans
(a run starting and ending, and every epoch's end with its snapshot) through
Python's `logging`, on the `learnstream` logger, as lines on stderr, at the
level asked for. A config's `service_name` starts each line; its `endpoint` or
`url` and its `sampling_ratio` are kept (so code written for Bytewax runs
unchanged) but not used. On `--engine bytewax` the flow runs on Bytewax: use
`bytewax.tracing` there to reach a collector.

>>> import io, logging
>>> from learnstream.tracing import JaegerConfig, setup_tracing
>>> tracer = setup_tracing(JaegerConfig("wordcount"), log_level="INFO")
>>> tracer.handler.setStream(io.StringIO())  # doctest: +ELLIPSIS
<...>
>>> logging.getLogger("learnstream").info("hello")
>>> tracer.handler.stream.getvalue()
'wordcount INFO learnstream: hello\\n'
>>> tracer.close()
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import logging

__all__ = ["JaegerConfig", "OtlpTracingConfig", "TracingConfig", "setup_tracing"]

#: Bytewax's level names, as `logging` levels (Bytewax's TRACE is finer than DEBUG).
LEVELS = {"ERROR": 40, "WARN": 30, "INFO": 20, "DEBUG": 10, "TRACE": 5}

LOGGER = "learnstream"


class TracingConfig:
    """Base class of the tracing configs (what to do with spans and logs)."""

    service_name = "learnstream"


class JaegerConfig(TracingConfig):
    """Bytewax sends traces to a Jaeger agent at `endpoint`; learnstream logs them locally."""

    def __init__(
        self, service_name: str, endpoint: str | None = None, sampling_ratio: float = 1.0
    ) -> None:
        self._service_name = service_name
        self._endpoint = endpoint
        self._sampling_ratio = sampling_ratio

    @property
    def service_name(self) -> str:  # type: ignore[override]
        return self._service_name

    @property
    def endpoint(self) -> str | None:
        return self._endpoint

    @property
    def sampling_ratio(self) -> float:
        return self._sampling_ratio


class OtlpTracingConfig(TracingConfig):
    """Bytewax sends traces to an OpenTelemetry collector at `url`; learnstream logs them."""

    def __init__(
        self, service_name: str, url: str | None = None, sampling_ratio: float = 1.0
    ) -> None:
        self._service_name = service_name
        self._url = url
        self._sampling_ratio = sampling_ratio

    @property
    def service_name(self) -> str:  # type: ignore[override]
        return self._service_name

    @property
    def url(self) -> str | None:
        return self._url

    @property
    def sampling_ratio(self) -> float:
        return self._sampling_ratio


class Tracer:
    """What `setup_tracing` returns: the handler writing the `learnstream` logger's lines."""

    def __init__(self, handler: logging.Handler) -> None:
        self.handler = handler

    def close(self) -> None:
        """Stop writing the lines (a later `setup_tracing` also replaces this one)."""
        global _current
        import logging

        logger = logging.getLogger(LOGGER)
        logger.removeHandler(self.handler)
        if not logger.handlers:
            logger.setLevel(logging.NOTSET)
        if _current is self:
            _current = None


_current: Tracer | None = None


def span(level: str, message: str) -> None:
    """Log one of the engine's spans, if `setup_tracing` asked for them (else: nothing).

    The engine calls this a few times per run and per epoch, never per item;
    `logging` is imported only once tracing is set up.
    """
    if _current is not None:
        import logging

        logging.getLogger(f"{LOGGER}.engine").log(LEVELS[level], message)


def setup_tracing(
    tracing_config: TracingConfig | None = None, log_level: str | None = None
) -> Tracer:
    """Log learnstream's spans and messages at `log_level` (default "ERROR") to stderr.

    `log_level` is one of "ERROR", "WARN", "INFO", "DEBUG", "TRACE" (any case), as in
    Bytewax. INFO shows each run starting and ending, DEBUG each epoch's end.
    """
    global _current
    import logging

    name = (log_level or "ERROR").upper()
    if name not in LEVELS:
        raise ValueError(f"Unknown log level: {log_level!r}; use one of {', '.join(LEVELS)}")
    if _current is not None:
        _current.close()
    service = (tracing_config or TracingConfig()).service_name
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(f"{service} %(levelname)s %(name)s: %(message)s"))
    logging.addLevelName(LEVELS["TRACE"], "TRACE")
    logger = logging.getLogger(LOGGER)
    logger.addHandler(handler)
    logger.setLevel(LEVELS[name])
    _current = Tracer(handler)
    return _current
