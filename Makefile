# The two commands of the README: `make run` and `make test`. Both set everything up on a fresh Debian machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SYSTEM_PACKAGES := libharfbuzz-subset0 fonts-noto-cjk fonts-noto-color-emoji fonts-hanazono chromium gettext
HOST ?= 127.0.0.1
PORT ?= 8000

# The first pass runs on the embedded default (SQLite, eager tasks); PostgreSQL and worker tests need the real
# services, so they run when DATABASE_URL / REDIS_URL point at them (the second pass of .ci/run).
ifeq ($(findstring postgres,$(DATABASE_URL)),)
  MARKERS := not postgres and not worker
else ifeq ($(REDIS_URL),)
  MARKERS := not worker
else
  MARKERS :=
endif

.PHONY: run test install system-packages lint format messages bench clean

# Absolute links (WeChat HTML, feeds, sitemap) point at the address served, also on another HOST or PORT.
run: export SITE_URL ?= http://$(HOST):$(PORT)
run: install system-packages
	DJANGO_DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DJANGO_DEBUG=1 $(BIN)/python manage.py seed_demo
	DJANGO_DEBUG=1 $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install system-packages
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DJANGO_DEBUG=1 $(BIN)/pytest $(if $(MARKERS),-m "$(MARKERS)") $(PYTEST_ARGS)

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Debian packages: HarfBuzz subsetting and CJK, emoji and rare-ideograph fonts for WeasyPrint, Chromium for the
# browser tests, gettext for the message catalogues (`make messages` and the test that the English catalogue is
# complete).
system-packages:
	@missing=""; for p in $(SYSTEM_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; elif sudo -n true 2>/dev/null; then SUDO="sudo"; \
	  else echo "Please run: sudo apt-get install -y$$missing" >&2; exit 1; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq$$missing >/dev/null; \
	fi

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Extract the gettext catalogues (Chinese source strings, English translations in locale/en) and compile them.
# Needs Debian's gettext. Locations name the file only, so that moving a line elsewhere does not touch the catalogue.
MESSAGES_IGNORE := --ignore '.venv/*' --ignore 'var/*' --ignore 'staticfiles/*' --ignore 'test-artifacts/*' \
	--ignore 'tests/*' --ignore 'bench/*'
MESSAGES_OPTIONS := -l en --no-obsolete --add-location file $(MESSAGES_IGNORE)

messages: install system-packages
	DJANGO_DEBUG=1 $(BIN)/python manage.py makemessages $(MESSAGES_OPTIONS)
	DJANGO_DEBUG=1 $(BIN)/python manage.py makemessages -d djangojs $(MESSAGES_OPTIONS)
	DJANGO_DEBUG=1 $(BIN)/python manage.py compilemessages -l en $(MESSAGES_IGNORE)

bench: install system-packages
	DJANGO_DEBUG=1 $(BIN)/python bench/render.py

clean:
	rm -rf $(VENV) var staticfiles test-artifacts
