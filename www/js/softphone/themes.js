/*
 * themes.js: the colour themes of the colortheme parameter (Mizu's list;
 * 0 and 1 are both the default) as CSS custom properties on <html>.
 */
(function (SP) {
  'use strict';
  // name, accent, background, surface, text
  SP.themes = [
    ['Default', '#1a73e8', '#f4f6f9', '#ffffff', '#1c2330'],
    ['Default', '#1a73e8', '#f4f6f9', '#ffffff', '#1c2330'],
    ['Light Blue', '#0b8ec7', '#eef8fd', '#ffffff', '#13303d'],
    ['Light Green', '#2e9d4f', '#f0f8f1', '#ffffff', '#173321'],
    ['Light Orange', '#d9730d', '#fdf5ec', '#ffffff', '#3a2410'],
    ['Light Purple', '#7e57c2', '#f5f1fb', '#ffffff', '#2a1d42'],
    ['Dark Red', '#e0524d', '#1f1a1a', '#2b2323', '#f4eaea'],
    ['Yellow', '#a67c00', '#fffbe6', '#ffffff', '#332800'],
    ['Blue', '#3d8bfd', '#121a26', '#1b2534', '#e8eef7'],
    ['Purple', '#b07cf0', '#1a1424', '#251d33', '#efe8f8'],
    ['Turquoise', '#0f9d9a', '#ecf8f8', '#ffffff', '#103332'],
    ['Light Skin', '#b5651d', '#fbf3ec', '#ffffff', '#3a2716'],
    ['Green Orange', '#e8772e', '#10241a', '#183324', '#eef6f0']
  ];

  // applyTheme sets the theme n (a number or numeric string; anything
  // else is the default).
  SP.applyTheme = function (n) {
    var i = parseInt(n, 10);
    var th = SP.themes[i >= 0 && i < SP.themes.length ? i : 0];
    var s = document.documentElement.style;
    s.setProperty('--accent', th[1]);
    s.setProperty('--bg', th[2]);
    s.setProperty('--surface', th[3]);
    s.setProperty('--text', th[4]);
    document.documentElement.setAttribute('data-theme', String(i >= 0 && i < SP.themes.length ? i : 0));
  };
})(window.SP = window.SP || {});
