// <standin-banner>: the impersonation banner a platform puts on every page
// of an impersonation session (S4): who acts as whom (and, for a scoped
// session, what it is limited to), the time left (to its expiry, or to its
// idle deadline when that comes first), a warning in the last five minutes
// (S3), and Stop, which ends the session
// and returns to its `return_to` (S2).
//
//   <script src="https://standin.example/console/banner.js" defer></script>
//   <standin-banner tenant="acme" session="s-..." token="JWT"></standin-banner>
//
// `token` is the session's impersonation token (from the start's answer):
// it reads this session's banner and ends this session, nothing else.
// `api` is Standin's base URL (default: where this script came from).
// Theme with CSS variables on the element: --standin-banner-bg,
// --standin-banner-fg, --standin-banner-warn-bg, --standin-banner-warn-fg,
// --standin-banner-font.
"use strict";

(() => {
  const origin = document.currentScript ? new URL(document.currentScript.src).origin : location.origin;
  const WARN_SECONDS = 300;
  const REFRESH_MS = 15000;

  // The look, as a constructed stylesheet: a page's Content-Security-Policy
  // that forbids inline styles does not forbid it.
  const CSS = `
  :host { display: block; font: var(--standin-banner-font, 600 14px/1.4 system-ui, sans-serif); }
  :host([hidden]) { display: none; }
  .bar { display: flex; gap: 1rem; align-items: center; justify-content: center; padding: 0.4rem 1rem;
         background: var(--standin-banner-bg, #1f3a93); color: var(--standin-banner-fg, #fff); }
  .bar.soon { background: var(--standin-banner-warn-bg, #ffd84d); color: var(--standin-banner-warn-fg, #111); }
  button { font: inherit; padding: 0.15rem 0.8rem; border: 2px solid currentColor; border-radius: 4px;
           background: transparent; color: inherit; cursor: pointer; }
  button[hidden] { display: none; }
  button:focus-visible { outline: 3px solid currentColor; outline-offset: 2px; }`;

  function build(root) {
    if ("adoptedStyleSheets" in root && typeof CSSStyleSheet.prototype.replaceSync === "function") {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
      root.adoptedStyleSheets = [sheet];
    } else {
      const style = document.createElement("style");
      style.textContent = CSS;
      root.append(style);
    }
    const bar = document.createElement("div");
    bar.className = "bar";
    bar.setAttribute("role", "region");
    bar.setAttribute("aria-label", "Impersonation");
    const who = document.createElement("span");
    who.setAttribute("part", "who");
    const left = document.createElement("span");
    left.setAttribute("part", "left");
    left.setAttribute("aria-live", "polite");
    const stop = document.createElement("button");
    stop.setAttribute("part", "stop");
    stop.type = "button";
    stop.textContent = "Stop";
    bar.append(who, left, stop);
    root.append(bar);
  }

  class StandinBanner extends HTMLElement {
    connectedCallback() {
      if (!this.shadowRoot) {
        build(this.attachShadow({ mode: "open" }));
        this.shadowRoot.querySelector("button").addEventListener("click", () => this.stop());
      }
      this.refresh();
      this.ticker = setInterval(() => this.tick(), 1000);
      this.poller = setInterval(() => this.refresh(), REFRESH_MS);
    }

    disconnectedCallback() {
      clearInterval(this.ticker);
      clearInterval(this.poller);
    }

    url(suffix) {
      const api = this.getAttribute("api") || origin;
      const tenant = encodeURIComponent(this.getAttribute("tenant") || "");
      const session = encodeURIComponent(this.getAttribute("session") || "");
      return `${api}/v1/tenants/${tenant}/sessions/${session}/${suffix}`;
    }

    async request(method, suffix) {
      const response = await fetch(this.url(suffix), {
        method,
        headers: { Authorization: `Bearer ${this.getAttribute("token") || ""}` },
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      return response.json();
    }

    async refresh() {
      try {
        this.facts = await this.request("GET", "banner");
        this.fetchedAt = Date.now();
        this.render();
      } catch (_) {
        // Keep the last facts: a network blip must not hide the banner.
      }
    }

    left() {
      if (!this.facts || this.facts.state !== "active") return 0;
      return Math.max(0, Math.floor((Date.parse(this.facts.expires_at) - Date.now()) / 1000));
    }

    render() {
      const f = this.facts;
      if (!f) return;
      const who = this.shadowRoot.querySelector("[part=who]");
      // A scoped session (SC1) says what it is limited to.
      const scope = f.scope
        ? `, only ${f.scope.actions.join(", ")}${f.scope.resources ? ` on ${f.scope.resources.join(", ")}` : ""}`
        : "";
      if (f.state === "active") who.textContent = `You are acting as ${f.target} (signed in as ${f.actor}${scope})`;
      else if (f.state === "pending") who.textContent = `Waiting for approval to act as ${f.target}`;
      else who.textContent = `You are no longer acting as ${f.target}`;
      this.shadowRoot.querySelector("button").hidden = f.state === "ended";
      this.tick();
    }

    tick() {
      if (!this.facts) return;
      const left = this.left();
      const bar = this.shadowRoot.querySelector(".bar");
      const label = this.shadowRoot.querySelector("[part=left]");
      const active = this.facts.state === "active";
      if (active && left === 0) {
        // The deadline passed: ask again, the host records the expiry.
        if (!this.expiring) {
          this.expiring = true;
          this.refresh().finally(() => (this.expiring = false));
        }
      }
      const m = Math.floor(left / 60);
      const text = `${m}:${String(left % 60).padStart(2, "0")} left`;
      const soon = active && left <= WARN_SECONDS;
      label.textContent = active ? (soon ? `${text}, ending soon` : text) : "";
      bar.classList.toggle("soon", soon);
      this.toggleAttribute("expiring-soon", soon);
    }

    async stop() {
      const button = this.shadowRoot.querySelector("button");
      button.disabled = true;
      try {
        const ended = await this.request("POST", "end");
        this.facts = { ...this.facts, state: "ended" };
        this.render();
        this.dispatchEvent(new CustomEvent("standin-ended", { detail: ended, bubbles: true }));
        if (ended.return_to) location.assign(ended.return_to);
      } catch (_) {
        button.disabled = false;
      }
    }
  }

  if (!customElements.get("standin-banner")) customElements.define("standin-banner", StandinBanner);
})();
