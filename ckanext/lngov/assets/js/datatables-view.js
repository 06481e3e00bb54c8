/* CKAN's table preview (ckanext-datatablesview) under the portal's Content-Security-Policy,
   which runs no inline script: what its template's inline script and onclick handlers did.
   - the globals datatablesview.js reads (gdataDict, gresviewId), from the JSON block of
     templates/datatables/datatables_view.html (the preview's module starts on DOM ready,
     after this script);
   - the "Refit" button (data-lngov-refit) and the record dialog's copy and print buttons,
     whose onclick attributes datatablesview.js writes into its HTML: removed, and the same
     functions called from here;
   - datatablesview.js's `setTimeout(initFilterObserver(), 100)` (on a language file's load:
     every preview in Chinese) passes setTimeout the call's result, undefined, which the
     browser would evaluate as a string (refused: no 'unsafe-eval'); on this page setTimeout
     drops what is not a function, as the policy would, without the violation;
   - in a view embedded on another site, a browser that blocks third-party storage throws
     on any use of localStorage, where datatablesview.js saves the table's state: without a
     storage of the page's own the table would stay empty. */
(function ($) {
  try {
    window.localStorage.getItem('lngov');
  } catch (blocked) {
    var kept = {};
    Object.defineProperty(window, 'localStorage', {configurable: true, value: {
      getItem: function (key) { return key in kept ? kept[key] : null; },
      setItem: function (key, value) { kept[key] = String(value); },
      removeItem: function (key) { delete kept[key]; }
    }});
  }
  var setTimeoutOf = window.setTimeout;
  window.setTimeout = function (handler) {
    if (typeof handler !== 'function') { return 0; }
    return setTimeoutOf.apply(window, arguments);
  };

  var block = document.getElementById('lngov-datatables-data');
  var data = block ? JSON.parse(block.textContent) : {};
  window.gdataDict = data.dataDict || [];
  window.gresviewId = data.resviewId || '';

  $(document).on('click', '[data-lngov-refit]', function () { window.fitColText(); });
  // Once the table has its rows and, in Chinese, its language file: the header's columns
  // fitted to the body's (what the Refit button does), else they stay as first measured.
  $(document).on('init.dt', function () {
    setTimeoutOf(function () { window.fitColText(); }, 0);
  });

  var modal = window.responsiveModalSettings;
  if (typeof modal === 'function') {
    // The dialog's header is an HTML string with onclick="copyModal('title')" buttons.
    window.responsiveModalSettings = function (that, packagename, resourcename) {
      var settings = modal(that, packagename, resourcename);
      var display = settings.details.display;
      settings.details.display = function () {
        var shown = display.apply(this, arguments);
        $('#modalcopy-button, #modalprint-button').removeAttr('onclick');
        return shown;
      };
      window.lngovModalTitle = $('<div>').text(packagename + '\u2014' + resourcename).html();
      return settings;
    };
  }
  $(document).on('click', '#modalcopy-button', function () { window.copyModal(window.lngovModalTitle); });
  $(document).on('click', '#modalprint-button', function () { window.printModal(window.lngovModalTitle); });
})(jQuery);
