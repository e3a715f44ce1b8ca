"""Draw a dataflow: as a Mermaid flowchart (for the docs) or as an indented tree.

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
    viz_eg.inp["inp (input)"]
    viz_eg.double["double (map)"]
    viz_eg.out["out (output)"]
    viz_eg.inp --> viz_eg.double
    viz_eg.double --> viz_eg.out
"""

from __future__ import annotations

from learnstream.dataflow import Dataflow, OperatorCall

__all__ = ["to_mermaid", "to_text"]


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


def _core_steps(call: OperatorCall) -> list[OperatorCall]:
    if call.core:
        return [call]
    return [step for child in call.children for step in _core_steps(child)]


def to_mermaid(flow: Dataflow) -> str:
    """A Mermaid flowchart with one box per top-level step and an arrow per stream."""
    tops = flow.root.children
    producer: dict[str, str] = {}
    for top in tops:
        for step in _core_steps(top):
            for stream in step.outputs:
                producer[stream] = top.step_id
    lines = ["flowchart TD"]
    for top in tops:
        short = top.step_id.rsplit(".", 1)[-1]
        lines.append(f'    {top.step_id}["{short} ({top.name})"]')
    edges: list[tuple[str, str]] = []
    for top in tops:
        for step in _core_steps(top):
            for stream in step.inputs:
                src = producer.get(stream)
                if src is not None and src != top.step_id and (src, top.step_id) not in edges:
                    edges.append((src, top.step_id))
    lines += [f"    {a} --> {b}" for a, b in edges]
    return "\n".join(lines)
