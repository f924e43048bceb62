// The pane's accessibility checks, shared by the tests that load it. Two views, since neither is
// enough alone: axe-core on the DOM (contrast, ARIA use, structure), and Chromium's own
// accessibility tree, which is what screen readers read. Fluent's web components state their
// roles through ElementInternals, which Chromium's tree honours and axe-core does not read
// (axe-core issue 4259), so every control's role and name are checked in the tree.

import AxeBuilder from "@axe-core/playwright";
import type { BrowserContext, CDPSession, Page } from "playwright-core";

/** A violation as a test reports it: rule, impact and where. */
export interface Finding {
  rule: string;
  impact: string;
  targets: string[];
  summary: string;
}

/** axe-core's serious and critical violations inside `selector`. */
export async function axeFindings(page: Page, selector: string): Promise<Finding[]> {
  const results = await new AxeBuilder({ page }).include(selector).analyze();
  return results.violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .map((violation) => ({
      rule: violation.id,
      impact: violation.impact ?? "",
      targets: violation.nodes.map((node) => node.target.join(" ")),
      summary: violation.nodes[0]?.failureSummary ?? violation.help,
    }));
}

/** Roles a person operates; each needs a name that says what it does. */
const INTERACTIVE_ROLES = new Set([
  "button",
  "checkbox",
  "combobox",
  "link",
  "listbox",
  "menuitem",
  "option",
  "radio",
  "radiogroup",
  "searchbox",
  "slider",
  "spinbutton",
  "switch",
  "tab",
  "textbox",
]);

/** Roles that announce something and are useless unnamed (a live line, a bar, a picture). */
const NAMED_ROLES = new Set(["progressbar", "status", "image", "img", "alert", "dialog"]);

/** Roles that take focus as a whole without being a control: a dialog moves focus into itself. */
const FOCUSABLE_CONTAINERS = new Set(["dialog", "alertdialog", "RootWebArea"]);

/**
 * The role each kind of control must show in the tree: on the element, or on a part of its
 * shadow root (a Fluent text input's <input>, an accordion item's header button). Controls of a
 * kind not listed here are still checked by the rules on every focusable node.
 */
const EXPECTED_ROLES: Record<string, string[]> = {
  "fluent-button": ["button"],
  "fluent-toggle-button": ["button"],
  "fluent-anchor-button": ["link"],
  "fluent-link": ["link"],
  "fluent-text-input": ["textbox", "searchbox", "spinbutton"],
  "fluent-textarea": ["textbox"],
  "fluent-switch": ["switch"],
  "fluent-checkbox": ["checkbox"],
  "fluent-radio-group": ["radiogroup"],
  "fluent-radio": ["radio"],
  "fluent-dropdown": ["combobox", "listbox"],
  "fluent-accordion-item": ["button"],
  "fluent-progress-bar": ["progressbar"],
  "fluent-slider": ["slider"],
  select: ["combobox", "listbox"],
  button: ["button"],
  textarea: ["textbox"],
};

interface DomNode {
  backendNodeId: number;
  nodeType: number;
  localName?: string;
  attributes?: string[];
  children?: DomNode[];
  shadowRoots?: DomNode[];
  parent?: DomNode;
  /** Set when the node lies in a shadow root of its host (not in its light DOM). */
  shadowOf?: DomNode;
}

interface AxNode {
  ignored: boolean;
  role?: { value?: string };
  name?: { value?: string };
  properties?: Array<{ name: string; value: { value?: unknown } }>;
  backendDOMNodeId?: number;
}

/** One control or announcing node of the pane as Chromium's tree shows it. */
export interface TreeEntry {
  role: string;
  name: string;
  /** The DOM element (or its shadow host) that carries it, as #id or tag name. */
  element: string;
  focusable: boolean;
}

export interface TreeAudit {
  entries: TreeEntry[];
  problems: string[];
}

function attribute(node: DomNode | undefined, name: string): string | undefined {
  const list = node?.attributes ?? [];
  for (let index = 0; index < list.length; index += 2) {
    if (list[index] === name) return list[index + 1];
  }
  return undefined;
}

/** How a problem names a node: its control's #id (the outermost shadow host), else its tag. */
function describeNode(node: DomNode | undefined): string {
  let owner = node;
  while (owner?.shadowOf) owner = owner.shadowOf;
  const id = attribute(owner, "id");
  return id ? `#${id}` : (owner?.localName ?? "?");
}

/** Indexes the whole DOM, shadow roots included, by backend node id. */
function indexDom(root: DomNode): Map<number, DomNode> {
  const index = new Map<number, DomNode>();
  const stack: Array<[DomNode, DomNode | undefined, DomNode | undefined]> = [
    [root, undefined, undefined],
  ];
  while (stack.length > 0) {
    const [node, parent, shadowOf] = stack.pop() as [DomNode, DomNode?, DomNode?];
    node.parent = parent;
    node.shadowOf = shadowOf;
    index.set(node.backendNodeId, node);
    for (const child of node.children ?? []) stack.push([child, node, shadowOf]);
    for (const shadow of node.shadowRoots ?? []) stack.push([shadow, node, node]);
  }
  return index;
}

function isInside(node: DomNode | undefined, ancestor: DomNode): boolean {
  for (let current = node; current; current = current.parent) {
    if (current === ancestor) return true;
  }
  return false;
}

/** The shadow host a node belongs to, or the node itself when it is in the light DOM. */
function controlOf(node: DomNode): DomNode {
  let current: DomNode | undefined = node;
  while (current && current.shadowOf === undefined && current.parent) {
    if (EXPECTED_ROLES[current.localName ?? ""] !== undefined) return current;
    current = current.parent;
  }
  // Inside a shadow root: the outermost host that is a listed control.
  let host = node.shadowOf;
  while (host?.shadowOf) host = host.shadowOf;
  return host ?? node;
}

/**
 * Reads Chromium's accessibility tree under the element with id `rootId` (shadow roots included)
 * and checks: every interactive or focusable node has an interactive role and a non-empty name;
 * every progress bar, status, picture and dialog is named; every control of a listed kind that
 * is rendered shows its expected role.
 */
export async function auditTree(
  context: BrowserContext,
  page: Page,
  rootId: string
): Promise<TreeAudit> {
  const session: CDPSession = await context.newCDPSession(page);
  try {
    const { root } = (await session.send("DOM.getDocument", { depth: -1, pierce: true })) as {
      root: DomNode;
    };
    const dom = indexDom(root);
    const paneRoot = [...dom.values()].find((node) => attribute(node, "id") === rootId);
    if (!paneRoot) return { entries: [], problems: [`no element #${rootId}`] };
    const { nodes } = (await session.send("Accessibility.getFullAXTree")) as { nodes: AxNode[] };
    const entries: TreeEntry[] = [];
    const problems: string[] = [];
    const rolesByControl = new Map<DomNode, Set<string>>();
    /** Controls hidden from assistive technology on purpose: inert behind a modal dialog. */
    const hiddenControls = new Set<DomNode>();
    for (const node of nodes) {
      const domNode = dom.get(node.backendDOMNodeId ?? -1);
      if (!domNode || !isInside(domNode, paneRoot)) continue;
      if (node.ignored) {
        hiddenControls.add(controlOf(domNode));
        continue;
      }
      const role = node.role?.value ?? "";
      const name = (node.name?.value ?? "").trim();
      const focusable = node.properties?.some((p) => p.name === "focusable" && p.value.value);
      const interactive = INTERACTIVE_ROLES.has(role);
      // tabindex="-1" is a target for scripts (a dialog's focus start), not a stop for users.
      const tabStop = focusable && attribute(domNode, "tabindex") !== "-1";
      if (!interactive && !tabStop && !NAMED_ROLES.has(role)) continue;
      const element = describeNode(domNode);
      entries.push({ role, name, element, focusable: Boolean(focusable) });
      const control = controlOf(domNode);
      rolesByControl.set(control, (rolesByControl.get(control) ?? new Set()).add(role));
      if (tabStop && !interactive && !FOCUSABLE_CONTAINERS.has(role)) {
        problems.push(`${element} is focusable with role "${role}", not a control's role`);
      }
      if (!name) problems.push(`${element} (${role}) has no accessible name`);
    }
    for (const node of dom.values()) {
      const expected = EXPECTED_ROLES[node.localName ?? ""];
      if (!expected || !isInside(node, paneRoot) || node.shadowOf) continue;
      const rendered = await session
        .send("DOM.getBoxModel", { backendNodeId: node.backendNodeId })
        .then(
          () => true,
          () => false
        );
      if (!rendered) continue;
      const roles = rolesByControl.get(node) ?? new Set<string>();
      if (roles.size === 0 && hiddenControls.has(node)) continue;
      if (!expected.some((role) => roles.has(role))) {
        problems.push(
          `${describeNode(node)} (${node.localName}) shows roles [${[...roles].join(", ")}], ` +
            `expected ${expected.join(" or ")}`
        );
      }
    }
    return { entries, problems };
  } finally {
    await session.detach();
  }
}
