import { AddonAttachmentKind, AddonKind } from './addon.js';
import { AppKind } from './app.js';
import { BuildKind } from './build.js';
import { FormationKind } from './formation.js';
import type { KindDefinition } from './kind.js';
import { ReleaseKind } from './release.js';

export const ALL_KINDS: KindDefinition[] = [AppKind, BuildKind, ReleaseKind, FormationKind, AddonKind, AddonAttachmentKind];
