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

import json
import sys
from collections import ChainMap
from typing import Any

from learnstream.dataflow import Dataflow, OperatorCall, Port

__all__ = ["to_json", "to_mermaid", "to_plantuml", "to_text"]


def to_text(flow: Dataflow) -> str:
    """The operator tree, nested operators indented under the operator that made them."""
    lines = [f"{flow.flow_id} (Dataflow)"]

    def walk(call: OperatorCall, prefix: str) -> None:
        for i, child in enumerate(call.children):
            last = i == len(call.children) - 1
            short = child.step_id.rsplit(".", 1)[-1]
            lines.append(f"{prefix}{'└── ' if last else '├── '}{short} ({child.name})")
            walk(child, prefix + ("    " if last else "│   "))

    walk(flow.root, "")
    return "\n".join(lines)


def _port(port: Port, from_ports: list[str], from_streams: list[str]) -> dict[str, Any]:
    return {
        "typ": "RenderedPort",
        "port_name": port.name,
        "port_id": port.port_id,
        "from_port_ids": from_ports,
        "from_stream_ids": from_streams,
    }


def _rendered(call: OperatorCall, origin: ChainMap[str, str]) -> dict[str, Any]:
    """One operator with each port linked to the port its streams come from.

    `origin` maps a stream id to the port it is seen leaving: the output port
    of the operator that made it, or, inside an operator, that operator's own
    input port (streams enter a nested scope through it).
    """
    inp = [_port(p, [origin[s] for s in p.stream_ids], list(p.stream_ids)) for p in call.inp_ports]
    origin.update({s: p.port_id for p in call.out_ports for s in p.stream_ids})
    inner = origin.new_child({s: p.port_id for p in call.inp_ports for s in p.stream_ids})
    substeps = [_rendered(child, inner) for child in call.children]
    # A core operator's outputs come from nowhere inside it: no links to draw.
    out = [
        _port(p, [inner[s] for s in p.stream_ids], list(p.stream_ids))
        if substeps
        else _port(p, [], [])
        for p in call.out_ports
    ]
    return {
        "typ": "RenderedOperator",
        "op_type": call.name,
        "step_name": call.step_id.rsplit(".", 1)[-1],
        "step_id": call.step_id,
        "inp_ports": inp,
        "out_ports": out,
        "substeps": substeps,
    }


def to_rendered(flow: Dataflow) -> dict[str, Any]:
    """The flow as Bytewax's rendered data model (plain dicts), ports linked."""
    origin: ChainMap[str, str] = ChainMap()
    return {
        "typ": "RenderedDataflow",
        "flow_id": flow.flow_id,
        "substeps": [_rendered(call, origin) for call in flow.root.children],
    }


def to_json(flow: Dataflow) -> str:
    """The flow as JSON, in the same shape as `bytewax.visualize.to_json`."""
    return json.dumps(to_rendered(flow), indent=2)


def _plantuml_step(step: dict[str, Any], recursive: bool) -> list[str]:
    inner = [f"portin {p['port_id']}" for p in step["inp_ports"]]
    inner += [f"portout {p['port_id']}" for p in step["out_ports"]]

    def links(ports: list[dict[str, Any]]) -> list[str]:
        return [
            f"{source} --> {p['port_id']} : {stream}"
            for p in ports
            for source, stream in zip(p["from_port_ids"], p["from_stream_ids"], strict=True)
        ]

    inner += links(step["inp_ports"])
    if recursive:
        for sub in step["substeps"]:
            inner += _plantuml_step(sub, recursive)
        inner += links(step["out_ports"])  # inner outputs to the containing step's outputs
    return [
        f"component {step['step_id']} [",
        f"    {step['step_id']} ({step['op_type']})",
        "]",
        f"component {step['step_id']} {{",
        *(f"    {line}" for line in inner),
        "}",
    ]


def to_plantuml(flow: Dataflow, recursive: bool = False) -> str:
    """A PlantUML component diagram, port to port, as `bytewax.visualize.to_plantuml` draws it."""
    lines = ["@startuml"]
    for step in to_rendered(flow)["substeps"]:
        lines += _plantuml_step(step, recursive)
    lines.append("@enduml")
    return "\n".join(lines)


def to_mermaid(flow: Dataflow) -> str:
    """A Mermaid flowchart of the top-level steps, as `bytewax.visualize.to_mermaid` draws it.

    Each arrow is labelled with the ports it joins, e.g. `down → up`.
    """
    steps = to_rendered(flow)["substeps"]
    owner = {
        p["port_id"]: (step, p) for step in steps for p in step["inp_ports"] + step["out_ports"]
    }
    lines = ["flowchart TD", f'subgraph "{flow.flow_id} (Dataflow)"']
    for step in steps:
        lines.append(f'{step["step_id"]}["{step["step_name"]} ({step["op_type"]})"]')
        for port in step["inp_ports"]:
            for from_id in port["from_port_ids"]:
                from_step, from_port = owner[from_id]
                lines.append(
                    f'{from_step["step_id"]} -- "{from_port["port_name"]} → {port["port_name"]}" '
                    f"--> {step['step_id']}"
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
