"""``minidl studies``: the studies minidl runs, their experiments and models, and the
numbers their seed documents report (the headlines a run is compared with).

    minidl studies           every study, its experiments and models with headlines
    minidl studies STUDY     one study in full, with every setting `--set` accepts
"""
from __future__ import annotations

import click

from minidl.cli.messages import user_error


def _variants(title: str, variants, default: str, full: bool) -> list[str]:
    lines = [f"  {title}:"]
    for variant in variants:
        mark = " (default)" if variant.name == default else ""
        lines.append(f"    {variant.name}{mark}: {variant.description}")
        if variant.headline:
            lines.append(f"      seed: {variant.headline}")
        if full and (variant.settings or variant.model):
            sets = [f"{key}={value}" for key, value in variant.settings.items()]
            sets += [f"model={variant.model}"] if variant.model else []
            lines.append(f"      sets: {', '.join(sets)}")
    return lines


def describe(study, full: bool) -> str:
    lines = [f"{study.name}  —  {study.title}  [seed {study.seed}]",
             f"  data: {study.description}"]
    lines += _variants("experiments", study.experiments, study.default_experiment.name, full)
    lines += _variants("models", study.models, study.models[0].name, full)
    if full:
        lines.append(f"  outputs: {study.outputs}")
        if study.notes:
            lines.append(f"  notes: {study.notes}")
        lines.append("  settings (--set KEY=VALUE; the study's default, unless the experiment "
                     "or model sets it):")
        for setting in study.all_settings().values():
            lines.append(f"    {setting.name} = {setting.default!r}: {setting.help} "
                         f"({setting.expected()})")
    return "\n".join(lines)


@click.command()
@click.argument("study", required=False)
def studies(study):
    """List the studies with their experiments, models and the seeds' headline numbers;
    with STUDY, also every setting it accepts."""
    from minidl.studies import STUDIES, ConfigError, get_study
    if study is not None:
        try:
            click.echo(describe(get_study(study), full=True))
        except ConfigError as error:
            raise user_error(error) from None
        return
    click.echo("\n\n".join(describe(s, full=False) for s in STUDIES.values()))
    click.echo("\nRun one: minidl train STUDY --experiment E --model M; "
               "details: minidl studies STUDY")
