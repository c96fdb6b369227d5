package dev.mailsync.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.mailsync.api.AccountDtos.AccountInput;
import dev.mailsync.api.AccountDtos.AccountResponse;
import dev.mailsync.api.AccountDtos.VerifyResponse;
import dev.mailsync.mail.VerifyOutcome;
import dev.mailsync.service.AccountService;
import dev.mailsync.service.AccountView;
import dev.mailsync.service.DeltaService;
import io.quarkus.security.Authenticated;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.time.Instant;
import org.eclipse.microprofile.jwt.JsonWebToken;

/** {@code /v1/accounts}: operations createAccount … verifyAccount of openapi.yaml. */
@Path("/v1/accounts")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
public class AccountResource {
    private final AccountService accounts;
    private final JsonBodies bodies;
    private final JsonWebToken jwt;
    private final DeltaService deltas;

    @Inject
    AccountResource(AccountService accounts, JsonBodies bodies, JsonWebToken jwt, DeltaService deltas) {
        this.accounts = accounts;
        this.bodies = bodies;
        this.jwt = jwt;
        this.deltas = deltas;
    }

    static final String MERGE_PATCH = "application/merge-patch+json";

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response create(String body, UriInfo uri) throws JsonProcessingException {
        AccountView created =
                accounts.create(owner(), bodies.read(body, AccountInput.class).toSettings());
        return Response.created(uri.getAbsolutePathBuilder()
                        .path(created.account().id())
                        .build())
                .entity(AccountResponse.of(created))
                .build();
    }

    @GET
    public PageResponse<AccountResponse> list(@QueryParam("limit") String limit, @QueryParam("cursor") String cursor) {
        return PageResponse.of(accounts.list(owner(), cursor, Paging.limit(limit)), AccountResponse::of);
    }

    @GET
    @Path("{accountId}")
    public AccountResponse get(@PathParam("accountId") String accountId) {
        return AccountResponse.of(accounts.get(owner(), accountId));
    }

    @PATCH
    @Path("{accountId}")
    @Consumes({MERGE_PATCH, MediaType.APPLICATION_JSON})
    public AccountResponse update(@PathParam("accountId") String accountId, String body)
            throws JsonProcessingException {
        var patch = bodies.mergePatch(body, AccountInput.class);
        return AccountResponse.of(accounts.update(
                owner(),
                accountId,
                current -> patch.apply(AccountInput.of(current)).toSettings()));
    }

    @DELETE
    @Path("{accountId}")
    // 204 or a problem: a client may accept only application/problem+json (generated clients do).
    @Produces({MediaType.APPLICATION_JSON, "application/problem+json"})
    public Response delete(@PathParam("accountId") String accountId) {
        accounts.delete(owner(), accountId);
        return Response.noContent().build();
    }

    @POST
    @Path("{accountId}/verify")
    public VerifyResponse verify(@PathParam("accountId") String accountId) {
        VerifyOutcome outcome = accounts.verify(owner(), accountId);
        return new VerifyResponse(outcome.protocol(), outcome.capabilities(), Instant.now());
    }

    @GET
    @Path("{accountId}/folders")
    public SyncDtos.FolderList folders(@PathParam("accountId") String accountId) {
        return new SyncDtos.FolderList(deltas.folders(owner(), accountId).stream()
                .map(SyncDtos.FolderDto::of)
                .toList());
    }

    private String owner() {
        return jwt.getSubject();
    }
}
