"""`nasti serve`: the offline bilingual dashboard (Starlette + server-rendered Jinja2, every asset local)."""
