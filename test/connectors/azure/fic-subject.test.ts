// Issue 17: an Entra federated credential whose issuer is GitHub Actions matches its subject exactly, but a customised
// GitHub subject without a repository claim is presented by every repository of the owner (judged like the AWS trust).
import { describe, expect, it } from 'vitest';
import { ficMintFacts } from '../../../src/connectors/azure/entra.js';

const GH = 'https://token.actions.githubusercontent.com';
const fic = (subject: string | null, expression: string | null = null) => ({ subject, expression, audiences: ['api://AzureADTokenExchange'], name: 'f' });

describe('entra federated credential subjects', () => {
  it('a GitHub subject from a template without a repository claim is a wildcard subject missing repository', () => {
    expect(ficMintFacts(GH, fic('repository_owner:contoso'), 'app')).toMatchObject({ breadth: 'wildcard_subject', missing: ['repository'] });
    expect(ficMintFacts(GH, fic('repository_owner_id:123:environment:prod'), 'app')).toMatchObject({ breadth: 'wildcard_subject', missing: ['repository'] });
    expect(ficMintFacts(GH, fic('environment:prod'), 'app')).toMatchObject({ breadth: 'issuer_wide', missing: ['repository'] });
  });

  it('near misses: a template with the repository, the default format, another issuer, a flexible credential as before', () => {
    expect(ficMintFacts(GH, fic('repository_owner:contoso:repo:contoso/web:environment:prod'), 'app')).toMatchObject({ breadth: 'pinned', missing: [] });
    expect(ficMintFacts(GH, fic('repo:contoso/web:environment:production'), 'app')).toMatchObject({ breadth: 'pinned', missing: [] });
    expect(ficMintFacts('https://gitlab.example', fic('repository_owner:contoso'), 'app')).toMatchObject({ breadth: 'pinned', missing: [] });
    expect(ficMintFacts(GH, fic(null, "claims['sub'] matches 'repo:contoso/*'"), 'app')).toMatchObject({ breadth: 'wildcard_subject', missing: ['sub'] });
  });
});
