# The two commands of the README, and their companions. See scripts/ for what each does.
.PHONY: run test stop status bench

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
