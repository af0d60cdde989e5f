"""Build stages. Each is a function ``run(ctx: StageContext) -> None`` (see ``base``)."""
