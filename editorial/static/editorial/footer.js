// The footer page's 上移/下移 buttons: move a row and renumber the ORDER inputs of its list, which the server
// reads (editorial.footer); without script the numbers can be typed.
(function () {
  "use strict";
  function renumber(list) {
    var n = 1;
    list.querySelectorAll("[data-row]").forEach(function (row) {
      var input = row.querySelector('input[name$="-ORDER"]');
      if (!input) return;
      if (row.classList.contains("is-new") && !input.value && !rowHasInput(row)) return;
      input.value = n++;
    });
  }
  function rowHasInput(row) {
    return Array.prototype.some.call(row.querySelectorAll("input[type=text], input[type=url], input[type=file], textarea"), function (el) {
      return el.value !== "";
    });
  }
  document.querySelectorAll("[data-formset] .footer-rows").forEach(function (list) {
    list.addEventListener("click", function (event) {
      var button = event.target.closest("[data-move]");
      if (!button) return;
      var row = button.closest("[data-row]");
      if (button.dataset.move === "-1" && row.previousElementSibling) {
        list.insertBefore(row, row.previousElementSibling);
      } else if (button.dataset.move === "1" && row.nextElementSibling) {
        list.insertBefore(row.nextElementSibling, row);
      }
      renumber(list);
      button.focus();
    });
  });
})();
