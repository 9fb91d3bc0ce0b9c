// Moves the link's fragment into a same-origin POST, then drops it from the
// address bar and history so the token is not left behind.
(function () {
  var params = new URLSearchParams(location.hash.slice(1));
  var form = document.getElementById('open');
  var status = document.getElementById('status');
  history.replaceState(null, '', location.pathname);
  if (!params.get('token')) {
    status.textContent = 'This link has no token. Check that it was copied whole.';
    return;
  }
  ['token', 'name', 'namespace'].forEach(function (field) {
    form.elements[field].value = params.get(field) || '';
  });
  form.submit();
})();
