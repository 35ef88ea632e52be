// The print button of the printable pages (a vehicle's manifest). A static script from the app's own origin, so the
// content-security policy (nemt.http.headers) needs no inline event handler and no 'unsafe-hashes'.
for (const button of document.querySelectorAll("button[data-print]")) {
  button.addEventListener("click", () => window.print());
}
