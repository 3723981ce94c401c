// Types for what Vite adds to client code, such as `import.meta.env`.
/// <reference types="vite/client" />
