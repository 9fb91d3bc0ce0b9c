export type View = 'vms' | 'open-link' | 'links' | 'settings';

const ITEMS: ReadonlyArray<{ view: View; label: string }> = [
  { view: 'vms', label: 'VMs' },
  { view: 'open-link', label: 'Open link' },
  { view: 'links', label: 'Issued links' },
  { view: 'settings', label: 'Settings' },
];

export function Sidebar({ view, onView }: { view: View; onView: (view: View) => void }) {
  return (
    <nav className="sidebar" aria-label="Views">
      <p className="sidebar__brand">Gatepass</p>
      <ul className="sidebar__list">
        {ITEMS.map((item) => (
          <li key={item.view}>
            <button
              type="button"
              className={`sidebar__item${item.view === view ? ' sidebar__item--current' : ''}`}
              aria-current={item.view === view ? 'page' : undefined}
              onClick={() => onView(item.view)}
            >
              {item.label}
            </button>
          </li>
        ))}
      </ul>
    </nav>
  );
}
