# The two commands a new user needs: `make run` and `make test`.
# Both create .venv on first use and reinstall only when pyproject.toml changes.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: run test venv clean

run: $(STAMP)
	$(BIN)/moderation-bot run

test: $(STAMP)
	@bash scripts/ensure-services.sh || [ -z "$$CI" ] || { echo "CI needs PostgreSQL and Redis" >&2; exit 1; }
	@sh scripts/ensure-chromium.sh || [ -z "$$CI" ] || { echo "CI needs Chromium for the browser tests" >&2; exit 1; }
	$(BIN)/python -m pytest

venv: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (found %s); set PYTHON=python3.11" % sys.version.split()[0])'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@rm -f $(VENV)/.installed-*
	@touch $@

clean:
	rm -rf $(VENV) .pytest_cache
