/* Suggestions while typing in the search boxes (suggest/views.py: /suggest, /en/suggest):
   entries, departments and themes, as a WAI-ARIA 1.2 combobox. The input keeps the focus;
   Down and Up move through the options (aria-activedescendant), Enter opens the chosen
   one (or searches what is typed when none is chosen), Escape closes the list, and a live
   region says how many suggestions there are. Without this script the boxes search as
   before. */
(function () {
  'use strict';
  var SELECTOR = '#field-sitewide-search, #field-giant-search, #lngov-home-q, input[data-lngov-suggest]';
  var DELAY = 120;
  var HAN = /[\u3400-\u9fff]/;
  var count = 0;

  // /suggest under the page's own language root (CKAN's <meta name="locale-root">: /en/)
  function endpoint() {
    var meta = document.querySelector('meta[name="locale-root"]');
    var root = (meta && meta.getAttribute('content')) || '/';
    return root.replace(/^[a-z]+:\/\/[^/]+/i, '').replace(/\/?$/, '/') + 'suggest';
  }

  function enough(q) {
    return HAN.test(q) ? q.length >= 1 : q.replace(/\s/g, '').length >= 2;
  }

  function Combobox(input) {
    count += 1;
    this.input = input;
    this.id = 'lngov-suggest-' + count;
    this.cache = {};
    this.options = [];
    this.active = -1;
    this.timer = null;
    this.build();
  }

  Combobox.prototype.build = function () {
    var input = this.input, self = this;
    var holder = input.parentNode;
    holder.classList.add('lngov-suggest-holder');
    this.list = document.createElement('div');
    this.list.id = this.id;
    this.list.className = 'lngov-suggest';
    this.list.setAttribute('role', 'listbox');
    this.list.hidden = true;
    this.status = document.createElement('div');
    this.status.className = 'visually-hidden';
    this.status.setAttribute('role', 'status');
    this.status.setAttribute('aria-live', 'polite');
    holder.appendChild(this.list);
    holder.appendChild(this.status);
    input.setAttribute('role', 'combobox');
    input.setAttribute('aria-autocomplete', 'list');
    input.setAttribute('aria-expanded', 'false');
    input.setAttribute('aria-controls', this.id);
    input.setAttribute('autocomplete', 'off');
    input.addEventListener('input', function () { self.typed(); });
    input.addEventListener('keydown', function (e) { self.key(e); });
    input.addEventListener('blur', function () {
      window.setTimeout(function () { self.close(); }, 150);
    });
    // once the search is sent, no suggestion is asked: the page is leaving
    if (input.form) {
      input.form.addEventListener('submit', function () {
        self.leaving = true;
        window.clearTimeout(self.timer);
      });
    }
    // a click on an option must not blur the input before the link is followed
    this.list.addEventListener('mousedown', function (e) { e.preventDefault(); });
  };

  Combobox.prototype.typed = function () {
    var self = this, q = this.input.value.trim();
    window.clearTimeout(this.timer);
    if (!enough(q)) { this.close(); return; }
    this.timer = window.setTimeout(function () { self.fetch(q); }, DELAY);
  };

  Combobox.prototype.fetch = function (q) {
    var self = this;
    if (this.leaving) { return; }
    if (this.cache[q]) { this.show(this.cache[q]); return; }
    // An answer to a query since typed further is kept (backspace finds it) and not shown;
    // it is not aborted: a cancelled request is a failed one to the browser.
    window.fetch(endpoint() + '?q=' + encodeURIComponent(q),
                 {headers: {Accept: 'application/json'}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (found) {
        if (!found) { return; }
        self.cache[q] = found;
        if (self.input.value.trim() === q) { self.show(found); }
      })
      .catch(function () { self.close(); });
  };

  Combobox.prototype.group = function (name, label, items) {
    var self = this;
    if (!items || !items.length) { return; }
    var group = document.createElement('div');
    var heading = document.createElement('div');
    heading.id = this.id + '-' + name;
    heading.className = 'lngov-suggest-heading';
    heading.setAttribute('role', 'presentation');
    heading.textContent = label;
    group.setAttribute('role', 'group');
    group.setAttribute('aria-labelledby', heading.id);
    group.appendChild(heading);
    items.forEach(function (item) {
      var option = document.createElement('a');
      option.id = self.id + '-option-' + self.options.length;
      option.className = 'lngov-suggest-option';
      option.setAttribute('role', 'option');
      option.setAttribute('aria-selected', 'false');
      option.setAttribute('tabindex', '-1');
      option.href = item.url;
      var title = document.createElement('span');
      title.className = 'lngov-suggest-title';
      title.textContent = item.title;
      option.appendChild(title);
      var more = item.department || (item.count !== undefined ? String(item.count) : '');
      if (more) {
        var meta = document.createElement('span');
        meta.className = 'lngov-suggest-meta';
        meta.textContent = more;
        option.appendChild(meta);
      }
      group.appendChild(option);
      self.options.push(option);
    });
    this.list.appendChild(group);
  };

  Combobox.prototype.show = function (found) {
    var labels = found.labels || {};
    this.list.textContent = '';
    this.options = [];
    this.active = -1;
    this.input.removeAttribute('aria-activedescendant');
    this.group('entries', labels.entries, found.entries);
    this.group('departments', labels.departments, found.departments);
    this.group('themes', labels.themes, found.themes);
    var n = this.options.length;
    this.status.textContent = n ? (labels.count || '').replace('{n}', n) : (labels.none || '');
    if (!n) { this.close(); return; }
    this.list.hidden = false;
    this.input.setAttribute('aria-expanded', 'true');
  };

  Combobox.prototype.close = function () {
    this.list.hidden = true;
    this.active = -1;
    this.input.setAttribute('aria-expanded', 'false');
    this.input.removeAttribute('aria-activedescendant');
  };

  Combobox.prototype.move = function (step) {
    var n = this.options.length;
    if (!n) { return; }
    if (this.active >= 0) { this.options[this.active].setAttribute('aria-selected', 'false'); }
    // the positions -1 (back in the input), 0 … n-1, round
    this.active = (this.active + 1 + step + n + 1) % (n + 1) - 1;
    if (this.active < 0) { this.input.removeAttribute('aria-activedescendant'); return; }
    var option = this.options[this.active];
    option.setAttribute('aria-selected', 'true');
    this.input.setAttribute('aria-activedescendant', option.id);
    if (option.scrollIntoView) { option.scrollIntoView({block: 'nearest'}); }
  };

  Combobox.prototype.key = function (e) {
    var open = !this.list.hidden;
    if (e.key === 'ArrowDown' || e.key === 'Down') {
      e.preventDefault();
      if (!open) { this.typed(); } else { this.move(1); }
    } else if (e.key === 'ArrowUp' || e.key === 'Up') {
      if (open) { e.preventDefault(); this.move(-1); }
    } else if (e.key === 'Enter') {
      if (open && this.active >= 0) {
        e.preventDefault();
        this.leaving = true;
        window.clearTimeout(this.timer);
        window.location.assign(this.options[this.active].href);
      }
    } else if (e.key === 'Escape' || e.key === 'Esc') {
      if (open) { e.preventDefault(); this.close(); }
    } else if (e.key === 'Tab') {
      this.close();
    }
  };

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll(SELECTOR), function (input) {
      if (!input.getAttribute('data-lngov-suggest-on')) {
        input.setAttribute('data-lngov-suggest-on', '1');
        new Combobox(input);   // eslint-disable-line no-new
      }
    });
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
}());
