// The API key field in the page header. The key stays in sessionStorage (this tab, until it
// closes) and goes with every request as "Authorization: Bearer <key>"; empty sends none.
"use strict";

window.apiKey = (() => {
  const STORAGE = "statements-qa.api-key";
  const input = document.getElementById("api-key");

  function stored() {
    try {
      return sessionStorage.getItem(STORAGE) || "";
    } catch {
      return ""; // storage disabled: the field still works for this page
    }
  }

  function store(key) {
    try {
      if (key) sessionStorage.setItem(STORAGE, key);
      else sessionStorage.removeItem(STORAGE);
    } catch {
      // as above
    }
  }

  if (input) {
    input.value = stored();
    input.addEventListener("input", () => store(input.value.trim()));
  }

  return {
    // The headers a request sends: `extra`, plus the key when one is entered.
    headers(extra = {}) {
      const key = (input ? input.value : stored()).trim();
      return key ? { ...extra, authorization: `Bearer ${key}` } : { ...extra };
    },
  };
})();
