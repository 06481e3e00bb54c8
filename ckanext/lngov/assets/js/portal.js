/* CKAN's main.js gives moment.js the page's <html lang>, a BCP 47 tag (zh-Hans-CN), which
   moment does not know: it falls back to English. The tag is an alias of moment's zh-cn. */
(function (moment) {
  if (!moment || moment.locales().indexOf('zh-hans-cn') !== -1) { return; }
  var current = moment.locale();
  moment.defineLocale('zh-hans-cn', { parentLocale: 'zh-cn' });
  moment.locale(current);   // defineLocale also switches to it; main.js chooses per page
}(window.moment));

/* CKAN's API tokens page (templates/user/snippets/api_token_*.html): the revoke button is
   enabled while a token is ticked, as its inline onchange handlers did. Delegated: the row of
   a token just created arrives by htmx. */
(function ($) {
  $(document).on('change', '[data-lngov-token-choice]', function () {
    $('#revoke-tokens-button').prop('disabled', !$('[name=token]:checked').length);
  });
}(window.jQuery));
