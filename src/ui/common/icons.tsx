/** Small inline SVG icons (no emoji: Linux machines often lack an emoji font). Decorative: aria-hidden. */
import type { ReactElement } from 'react';

function Svg({ children, size = 16 }: { children: ReactElement | ReactElement[]; size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 16 16" fill="none" stroke="currentColor" strokeWidth="1.5" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true" focusable="false">
      {children}
    </svg>
  );
}

export const ChevronRight = () => (
  <Svg size={14}>
    <path d="M6 4l4 4-4 4" />
  </Svg>
);

export const ChevronUpDown = () => (
  <Svg size={14}>
    <path d="M5 6l3-3 3 3M5 10l3 3 3-3" />
  </Svg>
);

export const Plus = () => (
  <Svg size={14}>
    <path d="M8 3v10M3 8h10" />
  </Svg>
);

export const PageIcon = () => (
  <Svg size={15}>
    <path d="M4 2h5l3 3v9H4z" />
    <path d="M9 2v3h3M6 8.5h4M6 11h4" />
  </Svg>
);

export const NewPageIcon = () => (
  <Svg size={15}>
    <path d="M9 2H4v12h8V8" />
    <path d="M12 1.5v5M9.5 4h5" />
  </Svg>
);

export const Check = () => (
  <Svg size={14}>
    <path d="M3.5 8.5l3 3 6-7" />
  </Svg>
);

export const Close = () => (
  <Svg size={12}>
    <path d="M4.5 4.5l7 7M11.5 4.5l-7 7" />
  </Svg>
);
