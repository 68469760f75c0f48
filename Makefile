# Two commands for a newcomer: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DEMO_ENV := ICM_DEMO=1
PYTEST_ARGS ?=

.PHONY: install demo test lint format translations clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

demo: install
	$(DEMO_ENV) $(BIN)/flask --app icm_recruit db upgrade
	$(DEMO_ENV) $(BIN)/flask --app icm_recruit seed-demo
	@echo "Serving on http://127.0.0.1:5000 (Ctrl-C to stop)"
	$(DEMO_ENV) $(BIN)/flask --app icm_recruit run --host 127.0.0.1 --port 5000

test: install
	$(BIN)/pytest -n 2 --dist loadfile --durations=15 $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check src tests benchmarks tools
	$(BIN)/bandit -r src -q --severity-level medium

format: install
	$(BIN)/ruff format src tests benchmarks

# Each feature may keep its own catalog (translations/fr/LC_MESSAGES/<domain>.po); all
# are loaded. To add strings of a feature: extract its files into a .pot, then
# `pybabel update -D <domain> -i <pot> -d src/icm_recruit/translations`, translate, compile.
translations: install
	for po in src/icm_recruit/translations/*/LC_MESSAGES/*.po; do \
		$(BIN)/pybabel compile -i $$po -o $${po%.po}.mo \
			-l $$(basename $$(dirname $$(dirname $$po))) || exit 1; \
	done

clean:
	rm -rf $(VENV) dist build instance/demo.sqlite3
