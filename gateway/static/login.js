// kube-gateway's /login submits itself when the query already holds every field.
(function () {
  var form = document.getElementById('login');
  var filled = ['token', 'name', 'namespace'].every(function (field) {
    return form.elements[field].value !== '';
  });
  if (filled) form.submit();
})();
