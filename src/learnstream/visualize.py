"""Draw a dataflow: Mermaid and JSON as Bytewax draws them, and an indented tree.

`to_mermaid` and `to_json` give what `bytewax.visualize` gives for the same flow;
`to_text` is learnstream's own view, nested operators included.

>>> import learnstream.operators as op
>>> from learnstream.dataflow import Dataflow
>>> from learnstream.testing import TestingSource, TestingSink
>>> flow = Dataflow("viz_eg")
>>> s = op.input("inp", flow, TestingSource([1]))
>>> op.output("out", op.map("double", s, lambda x: 2 * x), TestingSink([]))
>>> print(to_text(flow))
viz_eg (Dataflow)
├── inp (input)
├── double (map)
│   └── flat_map_batch (flat_map_batch)
└── out (output)
>>> print(to_mermaid(flow))
flowchart TD
subgraph "viz_eg (Dataflow)"
viz_eg.inp["inp (input)"]
viz_eg.double["double (map)"]
viz_eg.inp -- "down → up" --> viz_eg.double
viz_eg.out["out (output)"]
viz_eg.double -- "down → up" --> viz_eg.out
end
"""

from __future__ import annotations

import dataclasses
import json
import sys
from collections import ChainMap
from dataclasses import dataclass
from typing import Any

from learnstream.dataflow import Dataflow, Operator

__all__ = [
    "RenderedDataflow",
    "RenderedOperator",
    "RenderedPort",
    "to_json",
    "to_mermaid",
    "to_plantuml",
    "to_rendered",
    "to_text",
]


def to_text(flow: Dataflow) -> str:
    """The operator tree, nested operators indented under the operator that made them."""
    lines = [f"{flow.flow_id} (Dataflow)"]

    def walk(call: Operator, prefix: str) -> None:
        for i, child in enumerate(call.substeps):
            last = i == len(call.substeps) - 1
            lines.append(f"{prefix}{'└── ' if last else '├── '}{child.step_name} ({child.op_type})")
            walk(child, prefix + ("    " if last else "│   "))

    walk(flow.root, "")
    return "\n".join(lines)


@dataclass(frozen=True)
class RenderedPort:
    """A port with the ports and streams that feed it, by their flow-wide ids.

    `from_port_ids` are the ports the streams are seen leaving (another step's
    output, or the enclosing step's input); `from_stream_ids` the streams
    themselves, in the same order.
    """

    port_name: str
    port_id: str
    from_port_ids: list[str]
    from_stream_ids: list[str]


@dataclass(frozen=True)
class RenderedOperator:
    """An operator call with its ports linked to where their streams come from.

    >>> import learnstream.operators as op
    >>> from learnstream.dataflow import Dataflow
    >>> from learnstream.testing import TestingSource
    >>> flow = Dataflow("linked")
    >>> s = op.input("inp", flow, TestingSource([1]))
    >>> _ = op.map("double", s, lambda x: 2 * x)
    >>> double = to_rendered(flow).substeps[1]
    >>> double.op_type, double.step_name, double.inp_ports[0].from_port_ids
    ('map', 'double', ['linked.inp.down'])
    >>> [(sub.op_type, sub.inp_ports[0].from_port_ids) for sub in double.substeps]
    [('flat_map_batch', ['linked.double.up'])]
    """

    op_type: str
    step_name: str
    step_id: str
    inp_ports: list[RenderedPort]
    out_ports: list[RenderedPort]
    substeps: list[RenderedOperator]


@dataclass(frozen=True)
class RenderedDataflow:
    """A flow whose ports are all linked: what the diagrams and `to_json` are drawn from."""

    flow_id: str
    substeps: list[RenderedOperator]


def _rendered(call: Operator, origin: ChainMap[str, str]) -> RenderedOperator:
    """One operator with each port linked to the port its streams come from.

    `origin` maps a stream id to the port it is seen leaving: the output port
    of the operator that made it, or, inside an operator, that operator's own
    input port (streams enter a nested scope through it).
    """
    ups = {name: call.port(name) for name in call.ups_names}
    downs = {name: call.port(name) for name in call.dwn_names}
    inp = [
        RenderedPort(
            name,
            p.port_id,
            [origin[s] for s in p.stream_ids.values()],
            list(p.stream_ids.values()),
        )
        for name, p in ups.items()
    ]
    origin.update({s: p.port_id for p in downs.values() for s in p.stream_ids.values()})
    inner = origin.new_child({s: p.port_id for p in ups.values() for s in p.stream_ids.values()})
    substeps = [_rendered(child, inner) for child in call.substeps]
    # A core operator's outputs come from nowhere inside it: no links to draw.
    out = [
        RenderedPort(
            name, p.port_id, [inner[s] for s in p.stream_ids.values()], list(p.stream_ids.values())
        )
        if substeps
        else RenderedPort(name, p.port_id, [], [])
        for name, p in downs.items()
    ]
    return RenderedOperator(call.op_type, call.step_name, call.step_id, inp, out, substeps)


def to_rendered(flow: Dataflow) -> RenderedDataflow:
    """The flow as Bytewax's rendered data model, every port linked to its sources."""
    origin: ChainMap[str, str] = ChainMap()
    return RenderedDataflow(flow.flow_id, [_rendered(call, origin) for call in flow.substeps])


def _plain(obj: Any) -> Any:
    """A rendered record as JSON data, each object tagged with its class (`typ`)."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        fields = {f.name: _plain(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
        return {"typ": type(obj).__name__, **fields}
    if isinstance(obj, list):
        return [_plain(x) for x in obj]
    return obj


def to_json(flow: Dataflow) -> str:
    """The flow as JSON, in the same shape as `bytewax.visualize.to_json`."""
    return json.dumps(_plain(to_rendered(flow)), indent=2)


def _plantuml_step(step: RenderedOperator, recursive: bool) -> list[str]:
    inner = [f"portin {p.port_id}" for p in step.inp_ports]
    inner += [f"portout {p.port_id}" for p in step.out_ports]

    def links(ports: list[RenderedPort]) -> list[str]:
        return [
            f"{source} --> {p.port_id} : {stream}"
            for p in ports
            for source, stream in zip(p.from_port_ids, p.from_stream_ids, strict=True)
        ]

    inner += links(step.inp_ports)
    if recursive:
        for sub in step.substeps:
            inner += _plantuml_step(sub, recursive)
        inner += links(step.out_ports)  # inner outputs to the containing step's outputs
    return [
        f"component {step.step_id} [",
        f"    {step.step_id} ({step.op_type})",
        "]",
        f"component {step.step_id} {{",
        *(f"    {line}" for line in inner),
        "}",
    ]


def to_plantuml(flow: Dataflow, recursive: bool = False) -> str:
    """A PlantUML component diagram, port to port, as `bytewax.visualize.to_plantuml` draws it."""
    lines = ["@startuml"]
    for step in to_rendered(flow).substeps:
        lines += _plantuml_step(step, recursive)
    lines.append("@enduml")
    return "\n".join(lines)


def to_mermaid(flow: Dataflow) -> str:
    """A Mermaid flowchart of the top-level steps, as `bytewax.visualize.to_mermaid` draws it.

    Each arrow is labelled with the ports it joins, e.g. `down → up`.
    """
    steps = to_rendered(flow).substeps
    owner = {p.port_id: (step, p) for step in steps for p in step.inp_ports + step.out_ports}
    lines = ["flowchart TD", f'subgraph "{flow.flow_id} (Dataflow)"']
    for step in steps:
        lines.append(f'{step.step_id}["{step.step_name} ({step.op_type})"]')
        for port in step.inp_ports:
            for from_id in port.from_port_ids:
                from_step, from_port = owner[from_id]
                lines.append(
                    f'{from_step.step_id} -- "{from_port.port_name} → {port.port_name}" '
                    f"--> {step.step_id}"
                )
    lines.append("end")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """`python -m learnstream.visualize IMPORT_STR [-o mermaid|json|plantuml] [-r]`, as Bytewax's."""
    import argparse

    from learnstream.run import FlowLookupError, load_flow

    parser = argparse.ArgumentParser(
        prog="python -m learnstream.visualize",
        description="Print a diagram of a dataflow (Bytewax's formats); "
        "`learnstream visualize` also draws the operator tree.",
    )
    parser.add_argument("import_str", help="module[:flow], as for python -m learnstream.run")
    parser.add_argument(
        "-o", "--output-format", choices=["json", "mermaid", "plantuml"], default="mermaid"
    )
    parser.add_argument(
        "-r", "--recursive", action="store_true", help="nested operators too (plantuml only)"
    )
    args = parser.parse_args(argv)
    try:
        flow = load_flow(args.import_str)
    except FlowLookupError as err:
        print(f"learnstream visualize: {err}", file=sys.stderr)
        return 2
    if args.output_format == "json":
        print(to_json(flow))
    elif args.output_format == "plantuml":
        print(to_plantuml(flow, args.recursive))
    else:
        print(to_mermaid(flow))
    return 0


if __name__ == "__main__":
    sys.exit(main())
