package dev.mailsync.api;

import dev.mailsync.service.AdminService;
import dev.mailsync.service.CredentialKeyService;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** {@code /v1/admin}: operator endpoints; the token needs group {@code admin}. */
@Path("/v1/admin")
@RolesAllowed("admin")
@Produces(MediaType.APPLICATION_JSON)
public class AdminResource {
    private final AdminService admin;
    private final CredentialKeyService credentialKeys;

    @Inject
    AdminResource(AdminService admin, CredentialKeyService credentialKeys) {
        this.admin = admin;
        this.credentialKeys = credentialKeys;
    }

    @GET
    @Path("overview")
    public AdminService.Overview overview() {
        return admin.overview();
    }

    /** Accounts per credentials-encryption key id: when an old key reads 0, it can be removed. */
    @GET
    @Path("credential-keys")
    public CredentialKeyService.Usage credentialKeys() {
        return credentialKeys.usage();
    }
}
