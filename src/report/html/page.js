(function () {
  document.documentElement.classList.add('js');
  var boxes = Array.prototype.slice.call(document.querySelectorAll('input[name=verdict]'));
  var profile = document.getElementById('f-profile');
  var search = document.getElementById('f-search');
  var count = document.getElementById('f-count');
  var none = document.getElementById('f-none');
  var cases = Array.prototype.slice.call(document.querySelectorAll('article.case'));
  function apply() {
    var on = {};
    boxes.forEach(function (b) { on[b.value] = b.checked; });
    var p = profile.value, q = search.value.trim().toLowerCase(), shown = 0;
    cases.forEach(function (c) {
      var ok = on[c.dataset.verdict] && (!p || c.dataset.profile === p) &&
        (!q || c.dataset.search.indexOf(q) >= 0);
      c.classList.toggle('filtered', !ok);
      if (!ok) return;
      shown++;
      if (q) {
        for (var d = c.parentElement; d; d = d.parentElement) {
          if (d.tagName === 'DETAILS') d.open = true;
        }
      }
    });
    document.querySelectorAll('.group, .verdict-section').forEach(function (g) {
      g.classList.toggle('filtered', !g.querySelector('article.case:not(.filtered)'));
    });
    count.textContent = shown + ' of ' + cases.length + ' cases shown';
    none.hidden = shown > 0;
  }
  boxes.forEach(function (b) { b.addEventListener('change', apply); });
  profile.addEventListener('change', apply);
  search.addEventListener('input', apply);
  // A link from the first screen opens whatever collapsed section holds its target.
  function reveal() {
    var id = decodeURIComponent(location.hash.slice(1));
    var el = id && document.getElementById(id);
    for (var d = el && el.parentElement; d; d = d.parentElement) {
      if (d.tagName === 'DETAILS') d.open = true;
    }
    if (el) el.scrollIntoView();
  }
  window.addEventListener('hashchange', reveal);
  // Printing shows every case with every disclosure open; afterwards the page is as it was.
  var closed = [];
  window.addEventListener('beforeprint', function () {
    closed = Array.prototype.slice.call(document.querySelectorAll('details:not([open])'));
    closed.forEach(function (d) { d.open = true; });
  });
  window.addEventListener('afterprint', function () {
    closed.forEach(function (d) { d.open = false; });
    closed = [];
  });
  apply();
  if (location.hash) reveal();
})();
