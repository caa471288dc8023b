# Everything runs from the project's own virtual environment, made on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
BUILD := .build
# ansible-test and ansible-lint need the collection at ansible_collections/<namespace>/<name>.
TREE := $(BUILD)/tree/ansible_collections/alicloud/ecs
SANITY_HOME := $(BUILD)/sanity-home
PIP_FOR_ANSIBLE_TEST := 24.2
PYTEST_ARGS ?=

.PHONY: help venv test unit emulator-test integration sanity lint demo emulator bench clean

help:
	@echo "make demo         run the seed example against the local emulator"
	@echo "make test         run every test: unit, emulator, integration, sanity, lint"
	@echo "make unit | emulator-test | integration | sanity | lint"
	@echo "make emulator     start the ECS API emulator in the foreground"
	@echo "make bench        print performance figures measured against the emulator"

venv: $(VENV)/.installed

$(VENV)/.installed: requirements-dev.txt requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

test: unit emulator-test integration sanity lint
	@echo "make test: all suites passed"

unit: venv
	$(BIN)/python -m pytest tests/unit $(PYTEST_ARGS)

emulator-test: venv
	$(BIN)/python -m pytest tests/emulator $(PYTEST_ARGS)

integration: venv
	$(BIN)/python -m pytest tests/integration $(PYTEST_ARGS)

# A scratch copy of the tracked (and new, not ignored) files, where ansible-test can run.
tree:
	rm -rf $(BUILD)/tree
	mkdir -p $(TREE)
	git ls-files -z --cached --others --exclude-standard | xargs -0 -I{} sh -c 'test -e "{}" && cp --parents "{}" $(TREE)/ || true'
	# Its own git repository, so that ansible-test lists these files and not the outer checkout's.
	cd $(TREE) && git init -q && git add -A

sanity: venv tree
	mkdir -p $(SANITY_HOME)/.ansible/test/cache
	test -n "$$(ls $(SANITY_HOME)/.ansible/test/cache/pip-$(PIP_FOR_ANSIBLE_TEST)-*.whl 2>/dev/null)" || \
	  $(BIN)/python -m pip download --quiet --disable-pip-version-check --no-deps \
	    -d $(SANITY_HOME)/.ansible/test/cache pip==$(PIP_FOR_ANSIBLE_TEST)
	cp tests/sanity/get_pip_offline.py $(SANITY_HOME)/.ansible/test/cache/get_pip_$(subst .,_,$(PIP_FOR_ANSIBLE_TEST)).py
	cd $(TREE) && HOME=$(CURDIR)/$(SANITY_HOME) PATH=$(CURDIR)/$(BIN):$$PATH \
	  ansible-test sanity --python 3.11 --color no

lint: venv tree
	cd $(TREE) && PATH=$(CURDIR)/$(BIN):$$PATH ANSIBLE_HOME=$(CURDIR)/$(BUILD)/lint-home \
	  ANSIBLE_COLLECTIONS_PATH=$(CURDIR)/$(BUILD)/tree ansible-lint --profile production --offline

emulator: venv
	$(BIN)/python tests/emulator/server.py --port 0 $(EMULATOR_ARGS)

demo: venv
	$(BIN)/python playbooks/run_demo.py

bench: venv
	$(BIN)/python bench/bench.py $(BENCH_ARGS)

clean:
	rm -rf $(BUILD) .pytest_cache
