# Everything runs from virtual environments the Makefile makes on first use.
#
# What each target installs (one place to read it):
#   make demo | emulator   .venv on Python 3.12: requirements-demo.txt only (ansible-core, the SDK).
#   make test    the same .venv, plus requirements-dev.txt on top (requirements-test.txt and the
#                checking tools: ansible-lint, antsibull-docs, galaxy-importer, ansible-builder).
#   make docs | docs-lint | galaxy-check | packaging | sanity | lint   the .venv of make test.
#   make matrix  one venv per claimed ansible-core release under .build/matrix/, each on a
#                Python that release supports on the controller: that release plus
#                requirements-test.txt.
DEFAULT_PYTHON := 3.12
VENV := .venv
BIN := $(VENV)/bin
BUILD := .build
# ansible-test and ansible-lint need the collection at ansible_collections/<namespace>/<name>.
TREE_ROOT ?= $(BUILD)/tree
TREE = $(TREE_ROOT)/ansible_collections/alicloud/ecs
DIST := $(BUILD)/dist
PYTEST_ARGS ?=

# The claimed range (meta/runtime.yml requires_ansible, README): release/Python pairs.
# Each Python is inside that release's controller range (2.16, 2.17: 3.10-3.12;
# 2.18, 2.19: 3.11-3.13; 2.20, 2.21: 3.12-3.14); tests/sanity/pip_bootstrap.py checks it.
MATRIX ?= 2.16/3.11 2.17/3.12 2.18/3.13 2.19/3.11 2.20/3.13 2.21/3.13

# pythonX.Y: from PATH when it runs, else pyenv's own build (pyenv's shims answer only for
# the versions selected in pyenv, so python3.12 may be on PATH and still fail).
find_python = $(firstword $(foreach candidate,python$(1) \
  $(wildcard $(or $(PYENV_ROOT),$(HOME)/.pyenv)/versions/$(1).*/bin/python$(1)), \
  $(shell $(candidate) -c 'import sys; print(sys.executable)' 2>/dev/null)))
PIP_INSTALL = -m pip install --quiet --disable-pip-version-check

.PHONY: help venv demo-venv test unit emulator-test integration packaging sanity lint docs docs-lint \
  galaxy-check build demo emulator bench matrix clean

help:
	@echo "make demo         run the seed example against the local emulator"
	@echo "make test         run every test: unit, emulator, integration, packaging, sanity, lint, docs-lint, galaxy-check"
	@echo "make unit | emulator-test | integration | packaging | sanity | lint | docs-lint | galaxy-check"
	@echo "make docs         build the collection's HTML docs site into $(BUILD)/docs/html"
	@echo "make matrix       sanity and integration on every claimed ansible-core release"
	@echo "make emulator     start the ECS API emulator in the foreground"
	@echo "make bench        print performance figures measured against the emulator"

# A .venv made by another Python (an older checkout's) is made anew.
$(VENV)/.demo-installed: requirements-demo.txt requirements.txt
	@python="$(call find_python,$(DEFAULT_PYTHON))"; \
	  if [ -z "$$python" ]; then echo "make: Python $(DEFAULT_PYTHON) is needed (ansible-core 2.21 needs it on the controller): install python$(DEFAULT_PYTHON) or put it on PATH" >&2; exit 1; fi; \
	  $(BIN)/python -c 'import sys; sys.exit("%d.%d" % sys.version_info[:2] != "$(DEFAULT_PYTHON)")' 2>/dev/null || \
	    { rm -rf $(VENV) && echo "make: creating $(VENV) with $$python" && "$$python" -m venv $(VENV); }
	$(BIN)/python $(PIP_INSTALL) -r requirements-demo.txt
	touch $@

$(VENV)/.installed: $(VENV)/.demo-installed requirements-dev.txt requirements-test.txt
	$(BIN)/python $(PIP_INSTALL) -r requirements-dev.txt
	touch $@

demo-venv: $(VENV)/.demo-installed
venv: $(VENV)/.installed

test: unit emulator-test integration packaging sanity lint docs-lint docs galaxy-check
	@echo "make test: all suites passed"

unit: venv
	$(BIN)/python -m pytest tests/unit $(PYTEST_ARGS)

emulator-test: venv
	$(BIN)/python -m pytest tests/emulator $(PYTEST_ARGS)

integration: venv
	$(BIN)/python -m pytest tests/integration $(PYTEST_ARGS)

packaging: venv
	$(BIN)/python -m pytest tests/packaging $(PYTEST_ARGS)

# A scratch copy of the tracked (and new, not ignored) files, where ansible-test can run.
tree:
	rm -rf $(TREE_ROOT)
	mkdir -p $(TREE)
	git ls-files -z --cached --others --exclude-standard | xargs -0 -I{} sh -c 'test -e "{}" && cp --parents "{}" $(TREE)/ || true'
	# Its own git repository, so that ansible-test lists these files and not the outer checkout's.
	cd $(TREE) && git init -q && git add -A

# ansible-test sanity with the venv whose bin directory is $(1), on that venv's Python; the
# pip it bootstraps comes from PyPI (tests/sanity/pip_bootstrap.py), cached under HOME $(2).
define sanity_with
	$(1)/python tests/sanity/pip_bootstrap.py $(CURDIR)/$(2)/.ansible/test/cache
	cd $(TREE) && HOME=$(CURDIR)/$(2) PATH=$(CURDIR)/$(1):$$PATH \
	  ansible-test sanity --python "$$($(CURDIR)/$(1)/python -c 'import sys; print("%d.%d" % sys.version_info[:2])')" --color no
endef

sanity: venv tree
	$(call sanity_with,$(BIN),$(BUILD)/sanity-home)

lint: venv tree
	cd $(TREE) && PATH=$(CURDIR)/$(BIN):$$PATH ANSIBLE_HOME=$(CURDIR)/$(BUILD)/lint-home \
	  ANSIBLE_COLLECTIONS_PATH=$(CURDIR)/$(TREE_ROOT) ansible-lint --profile production --offline

# The plugins' documentation (whatever plugins exist) and docs/docsite/, as antsibull-docs reads them.
docs-lint: venv tree
	PATH=$(CURDIR)/$(BIN):$$PATH ANSIBLE_COLLECTIONS_PATH=$(CURDIR)/$(TREE_ROOT) ANSIBLE_HOME=$(CURDIR)/$(BUILD)/docs-home \
	  $(BIN)/antsibull-docs lint-collection-docs --plugin-docs $(TREE)

# The HTML site: antsibull-docs writes RST for the collection, Sphinx renders it; warnings fail.
docs: venv tree
	rm -rf $(BUILD)/docs && mkdir -m 700 $(BUILD)/docs
	PATH=$(CURDIR)/$(BIN):$$PATH ANSIBLE_COLLECTIONS_PATH=$(CURDIR)/$(TREE_ROOT) ANSIBLE_HOME=$(CURDIR)/$(BUILD)/docs-home \
	  $(BIN)/antsibull-docs sphinx-init --use-current --squash-hierarchy --fail-on-error \
	    --dest-dir $(BUILD)/docs alicloud.ecs
	PATH=$(CURDIR)/$(BIN):$$PATH ANSIBLE_COLLECTIONS_PATH=$(CURDIR)/$(TREE_ROOT) ANSIBLE_HOME=$(CURDIR)/$(BUILD)/docs-home \
	  $(BIN)/antsibull-docs collection --use-current --squash-hierarchy --fail-on-error \
	    --dest-dir $(BUILD)/docs/rst alicloud.ecs
	# Offline: intersphinx reads local inventories only (.ci/docs_inventories.py says why and which).
	echo 'intersphinx_mapping = {key: (url, files[-1]) for key, (url, files) in intersphinx_mapping.items()}' \
	  >> $(BUILD)/docs/conf.py
	$(BIN)/python .ci/docs_inventories.py $(BUILD)/docs
	$(BIN)/sphinx-build -q -W --keep-going -b html -c $(BUILD)/docs $(BUILD)/docs/rst $(BUILD)/docs/html
	@echo "make docs: $(BUILD)/docs/html/index.html"

# The artifact users install, built as Galaxy would get it.
build: demo-venv
	rm -rf $(DIST)
	$(BIN)/ansible-galaxy collection build --output-path $(DIST) .

# Galaxy's and Automation Hub's import checks on the artifact, run here without containers
# (tests/packaging/galaxy-importer.cfg says which checks run and why).
galaxy-check: venv build
	cd $(DIST) && GALAXY_IMPORTER_CONFIG=$(CURDIR)/tests/packaging/galaxy-importer.cfg \
	  PATH=$(CURDIR)/$(BIN):$$PATH ANSIBLE_HOME=$(CURDIR)/$(BUILD)/galaxy-home \
	  $(CURDIR)/$(BIN)/python $(CURDIR)/tests/packaging/galaxy_check.py alicloud-ecs-*.tar.gz

# Every claimed release in turn: its own venv, sanity, then the integration suite.
matrix:
	@mkdir -p $(BUILD)/matrix && : > $(BUILD)/matrix/times.txt
	@for entry in $(MATRIX); do \
	  start=$$(date +%s); \
	  $(MAKE) --no-print-directory matrix-one TREE_ROOT=$(BUILD)/matrix/tree RELEASE=$${entry%/*} MATRIX_PYTHON=$${entry#*/} || exit 1; \
	  echo "make matrix: ansible-core $${entry%/*} on Python $${entry#*/} passed in $$(( $$(date +%s) - start )) s" | tee -a $(BUILD)/matrix/times.txt; \
	done
	@echo "make matrix: every claimed release passed"; cat $(BUILD)/matrix/times.txt

MATRIX_VENV = $(BUILD)/matrix/$(RELEASE)
matrix-one: tree
	@python="$(call find_python,$(MATRIX_PYTHON))"; \
	  if [ -z "$$python" ]; then echo "make matrix: Python $(MATRIX_PYTHON) is needed for ansible-core $(RELEASE)" >&2; exit 1; fi; \
	  test -x $(MATRIX_VENV)/bin/python || "$$python" -m venv $(MATRIX_VENV)
	$(MATRIX_VENV)/bin/python $(PIP_INSTALL) "ansible-core~=$(RELEASE).0" -r requirements-test.txt
	$(MATRIX_VENV)/bin/python -c 'import sys; from ansible.release import __version__ as v; print("ansible-core", v, "on Python", sys.version.split()[0])'
	$(call sanity_with,$(MATRIX_VENV)/bin,$(MATRIX_VENV)/sanity-home)
	$(MATRIX_VENV)/bin/python -m pytest tests/integration -p no:cacheprovider $(PYTEST_ARGS)

emulator: demo-venv
	$(BIN)/python tests/emulator/server.py --port 0 $(EMULATOR_ARGS)

demo: demo-venv
	$(BIN)/python playbooks/run_demo.py

bench: venv
	$(BIN)/python bench/bench.py $(BENCH_ARGS)
	$(BIN)/python bench/bench_connection.py

clean:
	rm -rf $(BUILD) .pytest_cache
