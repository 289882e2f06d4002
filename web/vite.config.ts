import { defineConfig } from 'vite'
import react from '@vitejs/plugin-react'

// Stable, hash-free file names: a rebuild overwrites the committed files in
// dist/ instead of adding new ones; the Go server revalidates them by ETag.
const names = {
  entryFileNames: 'assets/[name].js',
  chunkFileNames: 'assets/[name].js',
  assetFileNames: 'assets/[name][extname]',
}

export default defineConfig({
  plugins: [react()],
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 2000,
    rolldownOptions: { output: names },
  },
  worker: { format: 'es', rolldownOptions: { output: names } },
  server: { proxy: { '/api': 'http://localhost:8080' } },
})
