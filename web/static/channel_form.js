// The add-account form: show only the chosen network's fields. Without this script
// every network's fields show, and the ones left empty are ignored.
(function () {
  "use strict";
  var select = document.getElementById("ch-network");
  if (!select) { return; }
  var sets = document.querySelectorAll("fieldset[data-network]");
  function show() {
    for (var i = 0; i < sets.length; i++) {
      var mine = sets[i].getAttribute("data-network") === select.value;
      sets[i].hidden = !mine;
      sets[i].disabled = !mine;
    }
  }
  select.addEventListener("change", show);
  show();
})();
