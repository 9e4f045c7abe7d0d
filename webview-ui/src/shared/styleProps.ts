// Inline style properties for lit-html templates that respect the webviews' CSP. The CSP has no
// 'unsafe-inline' for styles, so a style *attribute* is refused, and lit-html's own styleMap writes
// one on first render (it returns a CSS string). This element directive always goes through the
// CSSOM (element.style.setProperty), which the CSP allows: <div ${styleProps({ width: '50%' })}>.

import { noChange } from 'lit-html';
import { Directive, directive, PartType, type ElementPart, type PartInfo } from 'lit-html/directive.js';

/** CSS property names (kebab-case, custom properties included); undefined removes the property. */
export type StyleProps = Record<string, string | undefined>;

class StylePropsDirective extends Directive {
  constructor(part: PartInfo) {
    super(part);
    if (part.type !== PartType.ELEMENT) throw new Error('styleProps binds to an element: <div ${styleProps({...})}>');
  }

  render(_props: StyleProps): unknown {
    return noChange;
  }

  override update(part: ElementPart, [props]: [StyleProps]): unknown {
    const style = (part.element as HTMLElement).style;
    for (const [name, value] of Object.entries(props)) {
      if (value === undefined) style.removeProperty(name);
      else if (style.getPropertyValue(name) !== value) style.setProperty(name, value);
    }
    return noChange;
  }
}

export const styleProps = directive(StylePropsDirective);
