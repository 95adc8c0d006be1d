/** Mounts an island component on every `[data-island=name]` element, with its JSON props. */
import { h, render, type ComponentType } from 'preact';

export function mount<P>(name: string, Component: ComponentType<P>): void {
  for (const el of document.querySelectorAll<HTMLElement>(`[data-island="${name}"]`)) {
    const props = JSON.parse(el.dataset.props ?? '{}') as P;
    el.textContent = '';
    render(h(Component as ComponentType<object>, props as object), el);
  }
}
