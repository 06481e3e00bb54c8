/* What CKAN's resource upload field did in inline onclick handlers, which the portal's
   Content-Security-Policy does not run: a button checks a radio or checkbox
   (data-lngov-check), clears a field (data-lngov-clear), then clicks or focuses another
   element (data-lngov-click, data-lngov-focus); all given by element id. */
this.ckan.module('lngov-inline-actions', function ($) {
  return {
    initialize: function () {
      this.el.on('click', '[data-lngov-check], [data-lngov-clear], [data-lngov-click], [data-lngov-focus]', function () {
        var data = $(this).data();
        var byId = function (id) { return id ? document.getElementById(id) : null; };
        var check = byId(data.lngovCheck);
        if (check) { check.checked = true; }
        var clear = byId(data.lngovClear);
        if (clear) {
          if (clear.type === 'file') {
            $(clear).replaceWith($(clear).val('').clone(true));
          } else {
            $(clear).val('');
          }
        }
        var click = byId(data.lngovClick);
        if (click) { click.click(); }
        var focus = byId(data.lngovFocus);
        if (focus) { focus.focus(); }
      });
    }
  };
});

/* ckanext-scheming's multiple_text field: its "Add" link called MultipleText.multiple_add in
   a javascript: URL, and its "Remove" link pointed at one; both are data attributes now. */
jQuery(document).on('click', '[data-lngov-multiple-add]', function (event) {
  event.preventDefault();
  if (window.MultipleText) { window.MultipleText.multiple_add($(this).data('lngovMultipleAdd')); }
});
jQuery(document).on('click', 'a[data-lngov-prevent]', function (event) {
  event.preventDefault();
});
