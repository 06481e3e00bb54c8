# The two commands of the README, and their companions. See scripts/ for what each does.
.PHONY: run test stop status bench bench-harvest bench-tables bench-load cloud front test-cluster

run:     ## the demo portal at http://127.0.0.1:5000, with all its services
	@bash scripts/run.sh

test:    ## the whole test suite, against services of its own
	@bash scripts/test.sh

cloud:   ## the demo portal on a SolrCloud (ZooKeeper, two Solr nodes, collection with 2 replicas)
	@LNGOV_SOLR_MODE=cloud bash scripts/run.sh

front:   ## the demo portal behind the caching front (nginx, port 8080) with two CKAN web nodes (5000, 5001)
	@LNGOV_FRONT=1 LNGOV_WEB_NODES=2 bash scripts/run.sh

test-cluster:  ## only the tests of the SolrCloud, the caching front and the two web nodes
	@bash scripts/test.sh tests/test_solrcloud.py tests/test_front.py tests/test_front_harvest.py tests/test_web_nodes.py

stop:    ## stop the portal and every service the scripts started
	@bash scripts/stop.sh

status:  ## which services are up, for the demo and for the tests
	@LNGOV_ENV=demo bash scripts/services.sh status; LNGOV_ENV=test bash scripts/services.sh status

bench:   ## benchmarks (bench/), printed side by side with the stock alternative
	@bash scripts/install.sh --dev
	@.venv/bin/python bench/search_zh.py

bench-load:  ## load benchmark (bench/load.py, wrk) against the running `make front`: web node and front side by side; ARGS="--duration 15 --concurrency 20" for a short run
	@bash scripts/install.sh --dev
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y -qq wrk || sudo apt-get install -y -qq wrk; }
	@LNGOV_ENV=demo bash -c 'source scripts/lib.sh && .venv/bin/python bench/load.py --target node=http://127.0.0.1:$$CKAN_PORT --target front=http://127.0.0.1:$$FRONT_PORT $(ARGS)'

bench-harvest:  ## the harvest benchmark alone (bench/harvest.py; 500 entries about 30 min with the table jobs drained after each lngov run, 10,000 entries several hours; ARGS="--sizes 500")
	@bash scripts/install.sh --dev
	@LNGOV_ENV=bench bash -c 'source scripts/lib.sh && .venv/bin/python bench/harvest.py $(ARGS)'

bench-tables:  ## table loading: the portal's loader vs ckanext-xloader on the same files (bench/table_load.py)
	@bash scripts/install.sh --dev
	@LNGOV_ENV=bench bash -c 'source scripts/lib.sh && .venv/bin/python bench/table_load.py $(ARGS)'
