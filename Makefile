# The two commands of the README, and their companions. See scripts/ for what each does.
.PHONY: run test stop status bench bench-harvest bench-tables

run:     ## the demo portal at http://127.0.0.1:5000, with all its services
	@bash scripts/run.sh

test:    ## the whole test suite, against services of its own
	@bash scripts/test.sh

stop:    ## stop the portal and every service the scripts started
	@bash scripts/stop.sh

status:  ## which services are up, for the demo and for the tests
	@LNGOV_ENV=demo bash scripts/services.sh status; LNGOV_ENV=test bash scripts/services.sh status

bench:   ## benchmarks (bench/), printed side by side with the stock alternative
	@bash scripts/install.sh --dev
	@.venv/bin/python bench/search_zh.py

bench-harvest:  ## the harvest benchmark alone (bench/harvest.py; about 40 min with 10,000 entries)
	@bash scripts/install.sh --dev
	@LNGOV_ENV=bench bash -c 'source scripts/lib.sh && .venv/bin/python bench/harvest.py $(ARGS)'

bench-tables:  ## table loading: the portal's loader vs ckanext-xloader on the same files (bench/table_load.py)
	@bash scripts/install.sh --dev
	@LNGOV_ENV=bench bash -c 'source scripts/lib.sh && .venv/bin/python bench/table_load.py $(ARGS)'
