// Excel's entity values as the workbench needs them: recognising one in a function's result,
// reading one of its properties (what =E2.Latitude does) and laying out its card. The shapes
// follow Excel.EntityCellValue (ExcelApi 1.16, CustomFunctionsRuntime 1.4).

import { type CellValue, type EntityValue, cellError, scalar } from "./values";

/** Excel's error for a field an entity does not have (Excel.FieldErrorCellValue). */
export const FIELD_ERROR = "#FIELD!";

/**
 * The entity a custom function returned, or undefined when `value` is not one. Excel keeps its
 * own copy of a result, so later changes the add-in makes to its object do not reach the cell.
 */
export function toEntity(value: unknown): EntityValue | undefined {
  if (!isRecord(value) || value.type !== "Entity" || typeof value.text !== "string") {
    return undefined;
  }
  if (!isRecord(value.properties)) return undefined;
  for (const property of Object.values(value.properties)) {
    if (!isRecord(property) || typeof property.type !== "string") return undefined;
  }
  try {
    return structuredClone(value) as unknown as EntityValue;
  } catch {
    // A function or a DOM node inside: nothing Excel could store either.
    return undefined;
  }
}

/** The property `name` names; field names are matched without regard to case, as in Excel. */
function findProperty(entity: EntityValue, name: string) {
  const exact = entity.properties[name];
  if (exact) return exact;
  const lower = name.toLowerCase();
  const key = Object.keys(entity.properties).find((candidate) => candidate.toLowerCase() === lower);
  return key === undefined ? undefined : entity.properties[key];
}

/** What `=E2.Name` shows for the value in E2: the property's basic value, #FIELD! when the
 * value has no such property, or the value's own error or #BUSY! passed on. */
export function fieldOf(value: CellValue, name: string, where: string): CellValue {
  if (value.kind === "error" || value.kind === "busy") return value;
  if (value.kind !== "entity") {
    return cellError(FIELD_ERROR, `${where} holds no data type with fields`);
  }
  const property = findProperty(value.entity, name);
  if (!property) return cellError(FIELD_ERROR, `${where} has no field "${name}"`);
  const nested = toEntity(property);
  if (nested) return { kind: "entity", entity: nested };
  const basic = property.basicValue;
  if (typeof basic === "number" && Number.isFinite(basic)) return scalar(basic);
  if (typeof basic === "string" || typeof basic === "boolean") return scalar(basic);
  return cellError(FIELD_ERROR, `${where} has no value for "${name}"`);
}

export interface Card {
  title: string;
  sections: Array<{ title?: string; rows: Array<[name: string, text: string]> }>;
  provider?: { description: string; logoSourceAddress?: string; logoTargetAddress?: string };
}

/** The card Excel opens for an entity: its layout's title and sections, or every property in
 * one section when the entity declares no layout. */
export function cardOf(entity: EntityValue): Card {
  const layout = entity.layouts?.card;
  const titleSpec = layout?.title;
  const title =
    typeof titleSpec === "string"
      ? titleSpec
      : titleSpec && findProperty(entity, titleSpec.property)
        ? propertyText(entity, titleSpec.property)
        : entity.text;
  const sections = layout?.sections?.length
    ? layout.sections
    : [{ layout: "List", properties: Object.keys(entity.properties) }];
  const card: Card = {
    title,
    sections: sections.map((section) => ({
      title: section.title,
      rows: section.properties
        .filter((name) => findProperty(entity, name))
        .map((name): [string, string] => [name, propertyText(entity, name)]),
    })),
  };
  if (entity.provider?.description) {
    card.provider = {
      description: entity.provider.description,
      logoSourceAddress: entity.provider.logoSourceAddress,
      logoTargetAddress: entity.provider.logoTargetAddress,
    };
  }
  return card;
}

function propertyText(entity: EntityValue, name: string): string {
  const property = findProperty(entity, name);
  const nested = toEntity(property);
  if (nested) return nested.text;
  const basic = property?.basicValue;
  if (typeof basic === "boolean") return basic ? "TRUE" : "FALSE";
  return basic === undefined || basic === null ? "" : String(basic);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
