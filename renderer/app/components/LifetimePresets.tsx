import { LIFETIME_PRESETS } from '../share/lifetime.ts';

/** The preset lifetimes as radio choices, for a fieldset that may add its own (a custom one). */
export function LifetimePresets({ value, onChange }: { value: string; onChange: (value: string) => void }) {
  return (
    <>
      {LIFETIME_PRESETS.map((preset) => (
        <label key={preset.value} className="choice">
          <input type="radio" name="lifetime" value={preset.value} checked={value === preset.value} onChange={() => onChange(preset.value)} />
          {preset.label}
        </label>
      ))}
    </>
  );
}
