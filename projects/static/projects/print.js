// The print view's "Print" button (a script file, not an inline handler: the
// Content-Security-Policy allows scripts from this origin only).
document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("[data-print]")) {
    button.addEventListener("click", () => window.print());
  }
});
