// The member page's booking form: a box that narrows the destination list to the options containing what is typed
// (name, service or town). Without the script the list is whole and the box stays hidden.
(function () {
  "use strict";
  document.querySelectorAll("input[data-filter]").forEach(function (box) {
    var select = document.getElementById(box.getAttribute("data-filter"));
    if (!select) { return; }
    box.hidden = false;
    var label = document.querySelector("label[for='" + box.id + "']");
    if (label) { label.hidden = false; }
    box.addEventListener("input", function () {
      var words = box.value.toLowerCase().split(/\s+/).filter(Boolean);
      var first = null;
      Array.prototype.forEach.call(select.options, function (option) {
        if (!option.value) { return; }
        var text = option.text.toLowerCase();
        var shown = words.every(function (w) { return text.indexOf(w) !== -1; });
        option.hidden = !shown;
        option.disabled = !shown;
        if (shown && first === null) { first = option; }
      });
      if (first !== null && (select.selectedIndex < 1 || select.options[select.selectedIndex].hidden)) {
        first.selected = true;
      }
    });
  });
})();
