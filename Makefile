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
	$(BIN)/pytest -n 2 --dist loadfile $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check src tests benchmarks

format: install
	$(BIN)/ruff format src tests benchmarks

translations: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
		-o /tmp/icm-recruit-messages.pot .
	$(BIN)/pybabel update -i /tmp/icm-recruit-messages.pot -d src/icm_recruit/translations \
		--no-location --ignore-obsolete
	$(BIN)/pybabel compile -d src/icm_recruit/translations

clean:
	rm -rf $(VENV) dist build instance/demo.sqlite3
