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
from collections import ChainMap
from typing import Any

from learnstream.dataflow import Dataflow, OperatorCall, Port

__all__ = ["to_json", "to_mermaid", "to_text"]


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
